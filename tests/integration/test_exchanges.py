"""Exchanges over the real tables, on SQLite and PostgreSQL: scoped to the customer, nothing is
recorded or reserved when the exchange is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import Exchange, ExchangeReason
from insight.support.exchanges import ExchangeRefusal, ExchangeRefused, ExchangeSupport
from insight.support.policies import ExchangePolicy
from tests.factories import TODAY, SupportShopFixture, build_support_shop


@pytest.fixture
def shop(sessions: sessionmaker[Session]) -> SupportShopFixture:
    return build_support_shop(sessions)


def _support(sessions: sessionmaker[Session]) -> ExchangeSupport:
    return ExchangeSupport(sessions, ExchangePolicy(), clock=lambda: TODAY)


def _exchanges(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Exchange)) or 0)


def test_another_customers_order_is_not_found_and_nothing_is_recorded(
    sessions: sessionmaker[Session], shop: SupportShopFixture
) -> None:
    outcome = _support(sessions).start_exchange(
        shop.small.ada_id, shop.cleo_recent_delivered, "item", "other", ExchangeReason.SIZE
    )
    assert outcome == ExchangeRefused(ExchangeRefusal.NOT_FOUND, outcome.order_number)
    assert _exchanges(sessions) == 0


def test_an_order_still_on_its_way_cannot_be_exchanged_yet(
    sessions: sessionmaker[Session], shop: SupportShopFixture
) -> None:
    outcome = _support(sessions).start_exchange(
        shop.small.ada_id, shop.small.ada_shipped_order, "item", "other", ExchangeReason.SIZE
    )
    assert isinstance(outcome, ExchangeRefused)
    assert outcome.reason == ExchangeRefusal.NOT_DELIVERED
    assert _exchanges(sessions) == 0
