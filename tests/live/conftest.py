"""The live stack: the real Rasa server, the real action server and the gateway, on free ports."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.stack import Stack, StackConfig
from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import upgrade
from tests.factories import TODAY, SupportShopFixture, build_support_shop
from tests.ports import free_port
from tests.stack_secrets import STACK_SECRETS


@pytest.fixture(scope="session")
def live_shop_url(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, SupportShopFixture]:
    path = tmp_path_factory.mktemp("live") / "shop.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    shop = build_support_shop(make_sessionmaker(engine))
    engine.dispose()
    return f"sqlite:///{path}", shop


@pytest.fixture(scope="session")
def live_stack(
    live_shop_url: tuple[str, SupportShopFixture], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    rasa_bin, rasa_model = (
        os.environ.get("SHOPSENSE_RASA_BIN"),
        os.environ.get("SHOPSENSE_RASA_MODEL"),
    )
    if not (rasa_bin and rasa_model and Path(rasa_bin).exists() and Path(rasa_model).exists()):
        pytest.fail(
            "the live tests need the Rasa venv and a trained model: run them with `make test` "
            f"(SHOPSENSE_RASA_BIN={rasa_bin!r}, SHOPSENSE_RASA_MODEL={rasa_model!r})",
            pytrace=False,
        )
    state = tmp_path_factory.mktemp("state")
    config = StackConfig(
        python=Path(sys.executable),
        rasa_bin=Path(rasa_bin),
        rasa_model=Path(rasa_model),
        database_url=live_shop_url[0],
        tracker_url=f"sqlite:///{state / 'tracker.db'}",
        state_dir=state,
        host="127.0.0.1",
        gateway_port=free_port(),
        rasa_port=free_port(),
        action_port=free_port(),
        rasa_api_token=STACK_SECRETS.rasa_api_token,
        # the shop's dates are relative to the factories' TODAY, so the return window is too
        extra_env=STACK_SECRETS.env() | {"SHOPSENSE_NOW": TODAY.isoformat()},
    )
    stack = Stack(config)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
