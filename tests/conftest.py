"""Shared fixtures: databases on SQLite and on the PostgreSQL server, and a small known shop."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import upgrade
from insight.db.models import Base
from tests.factories import ShopFixture, build_small_shop

POSTGRES_URL = os.environ.get("POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """A throwaway database on the PostgreSQL server, migrated once for the whole run.

    A missing server is a failure with a clear message, never a skip: CI must test PostgreSQL.
    """
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"shopsense_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({error.orig}). Start it "
            "(e.g. `pg_ctlcluster 15 main start`) or set POSTGRES_URL; database tests must run "
            "against PostgreSQL as well as SQLite.",
            pytrace=False,
        )
    engine = make_engine(make_url(POSTGRES_URL).set(database=name).render_as_string(False))
    upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated, empty shop database: once on a SQLite file, once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "shop.db"
        sqlite_engine = make_engine(f"sqlite:///{path}")
        upgrade(sqlite_engine)
        yield sqlite_engine
        sqlite_engine.dispose()
    else:
        pg_engine: Engine = request.getfixturevalue("postgres_engine")
        _truncate_all(pg_engine)
        yield pg_engine
        _truncate_all(pg_engine)


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def shop(sessions: sessionmaker[Session]) -> ShopFixture:
    return build_small_shop(sessions)
