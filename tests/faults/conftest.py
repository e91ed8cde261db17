"""The fault-injection stack: action server, two Rasa servers and the gateway, on free ports, with
the shop database and the tracker store on PostgreSQL and Rasa's locks in Redis, logging at
DEBUG so that the log redaction has personal data to remove. One stack serves every fault test;
each test leaves it answering again (Rasa tests restart what they stopped)."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from bot.stack import Stack
from bot.stack_processes import StackConfig
from insight.agents import AgentRepository
from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import upgrade
from tests.factories import ShopFixture, build_small_shop
from tests.ports import free_port
from tests.stack_secrets import STACK_SECRETS

POSTGRES_URL = os.environ.get("POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1")
# What the fault tests say, and what must never appear in a log file.
PERSONAL = ("ada.lovelace@example.org", "+47 912 34 567", "4111 1111 1111 1111")
AGENT = ("fault-agent", "fault-agent-password")


@dataclass(frozen=True)
class FaultStack:
    """The running stack and the levers the fault tests pull."""

    stack: Stack
    shop: ShopFixture
    shop_database: str
    admin: Engine
    lock_prefix: str

    def ensure_up(self) -> None:
        """Start whatever an earlier test stopped."""
        down = tuple(name for name in self.stack.names if not self.stack.is_healthy(name))
        if down:
            self.stack.stop(only=down)
            self.stack.start(timeout_s=420, only=down)

    def take_database_away(self) -> None:
        """The shop database stops accepting connections, its sessions are cut, and it is
        renamed: to the gateway and the action server it is simply gone."""
        name = self.shop_database
        with self.admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(text(f'ALTER DATABASE "{name}" RENAME TO "{name}_away"'))

    def bring_database_back(self) -> None:
        name = self.shop_database
        with self.admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}_away" RENAME TO "{name}"'))
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))

    def logs(self) -> dict[str, str]:
        folder = self.stack.config.state_dir / "logs"
        return {path.stem: path.read_text(errors="replace") for path in folder.glob("*.log")}

    def personal_data_in_logs(self) -> list[str]:
        return [
            f"{name}: {secret}"
            for name, text in self.logs().items()
            for secret in PERSONAL
            if secret in text
        ]


def _create(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))


def _drop(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    rasa_bin, rasa_model = (
        os.environ.get("SHOPSENSE_RASA_BIN"),
        os.environ.get("SHOPSENSE_RASA_MODEL"),
    )
    if not (rasa_bin and rasa_model and Path(rasa_bin).exists() and Path(rasa_model).exists()):
        pytest.fail("the fault tests need the Rasa venv and a trained model: `make test`")
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    suffix = uuid.uuid4().hex[:10]
    shop_db, tracker_db = f"shopsense_faults_{suffix}", f"shopsense_tracker_{suffix}"
    _create(admin, shop_db)
    _create(admin, tracker_db)
    shop_url = make_url(POSTGRES_URL).set(database=shop_db).render_as_string(False)
    engine = make_engine(shop_url)
    upgrade(engine)
    shop = build_small_shop(make_sessionmaker(engine))
    AgentRepository(make_sessionmaker(engine)).ensure(AGENT[0], "Fault Agent", AGENT[1])
    engine.dispose()
    tracker = make_url(POSTGRES_URL).set(drivername="postgresql", database=tracker_db)
    state = tmp_path_factory.mktemp("faults")
    lock_prefix = f"faults{suffix}"
    config = StackConfig(
        python=Path(sys.executable),
        rasa_bin=Path(rasa_bin),
        rasa_model=Path(rasa_model),
        database_url=shop_url,
        tracker_url=tracker.render_as_string(False),
        state_dir=state,
        host="127.0.0.1",
        gateway_port=free_port(),
        rasa_port=free_port(),
        action_port=free_port(),
        rasa_api_token=STACK_SECRETS.rasa_api_token,
        extra_env=STACK_SECRETS.env(),
        extra_rasa_ports=(free_port(),),
        lock_store_url=f"{REDIS_URL}?prefix={lock_prefix}",
        log_level="DEBUG",
    )
    stack = Stack(config)
    try:
        stack.start(timeout_s=420)
        yield FaultStack(stack, shop, shop_db, admin, lock_prefix)
    finally:
        stack.stop()
        for name in (shop_db, f"{shop_db}_away", tracker_db):
            _drop(admin, name)
        admin.dispose()
