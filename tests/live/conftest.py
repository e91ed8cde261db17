"""The live stack: the real Rasa server, the real action server and the gateway, on free ports."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.stack import Stack
from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import upgrade
from tests.factories import SupportShopFixture, build_support_shop
from tests.stack_secrets import shop_stack_config


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
    config = shop_stack_config(
        Path(rasa_bin), Path(rasa_model), live_shop_url[0], tmp_path_factory.mktemp("state")
    )
    stack = Stack(config)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
