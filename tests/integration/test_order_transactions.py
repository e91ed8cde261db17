"""No half-written cancellations, returns or address changes: when the database fails in the
middle of one (after its statements ran, before the commit), nothing of it stays, on SQLite and
PostgreSQL; once the database is back the same request goes through whole."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import Order, Refund, Return
from insight.support.address import PostalAddress
from insight.support.orders import (
    AddressChanged,
    Cancellation,
    OrderSupport,
    RefundMethod,
    ReturnStarted,
)
from tests.factories import TODAY, SupportShopFixture, build_support_shop


@pytest.fixture
def support_shop(sessions: sessionmaker[Session]) -> SupportShopFixture:
    return build_support_shop(sessions)


@pytest.fixture
def support(sessions: sessionmaker[Session]) -> OrderSupport:
    return OrderSupport(sessions, return_window_days=30, clock=lambda: TODAY)


@pytest.fixture
def failing_flush(sessions: sessionmaker[Session]) -> Iterator[Callable[[bool], None]]:
    """``failing_flush(True)``: every flush runs its statements, then the connection "drops"."""
    failing = False

    def drop(_session: Session, _context: Any) -> None:
        if failing:
            raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection"))

    def switch(on: bool) -> None:
        nonlocal failing
        failing = on

    event.listen(sessions, "after_flush", drop)
    yield switch
    event.remove(sessions, "after_flush", drop)


def _snapshot(sessions: sessionmaker[Session], number: str) -> tuple[Any, ...]:
    with sessions() as session:
        order = session.scalars(select(Order).where(Order.number == number)).one()
        refunds = session.scalar(
            select(func.count()).select_from(Refund).where(Refund.order_id == order.id)
        )
        returns = session.scalar(
            select(func.count()).select_from(Return).where(Return.order_id == order.id)
        )
        return (order.status, order.ship_street, order.ship_city, refunds, returns)


def test_a_cancellation_that_fails_midway_leaves_the_order_as_it_was(
    sessions: sessionmaker[Session],
    support_shop: SupportShopFixture,
    support: OrderSupport,
    failing_flush: Callable[[bool], None],
) -> None:
    ada, paid_order = support_shop.small.ada_id, support_shop.small.ada_unshipped_order
    before = _snapshot(sessions, paid_order)

    failing_flush(True)
    with pytest.raises(OperationalError):
        support.cancel(ada, paid_order)
    after_failure = _snapshot(sessions, paid_order)
    failing_flush(False)
    done = support.cancel(ada, paid_order)

    assert after_failure == before
    assert isinstance(done, Cancellation) and done.refund is not None
    assert _snapshot(sessions, paid_order)[0] == "cancelled"
    assert _snapshot(sessions, paid_order)[3] == before[3] + 1  # exactly one refund


def test_a_return_that_fails_midway_is_not_half_created(
    sessions: sessionmaker[Session],
    support_shop: SupportShopFixture,
    support: OrderSupport,
    failing_flush: Callable[[bool], None],
) -> None:
    cleo, delivered = support_shop.cleo_id, support_shop.cleo_recent_delivered
    before = _snapshot(sessions, delivered)

    failing_flush(True)
    with pytest.raises(OperationalError):
        support.start_return(cleo, delivered, "headphones", "broken", RefundMethod.STORE_CREDIT)
    after_failure = _snapshot(sessions, delivered)
    failing_flush(False)
    done = support.start_return(cleo, delivered, "headphones", "broken", RefundMethod.STORE_CREDIT)

    assert after_failure == before
    assert isinstance(done, ReturnStarted)
    assert _snapshot(sessions, delivered)[4] == before[4] + 1


def test_an_address_change_that_fails_midway_keeps_the_old_address(
    sessions: sessionmaker[Session],
    support_shop: SupportShopFixture,
    support: OrderSupport,
    failing_flush: Callable[[bool], None],
) -> None:
    ada, paid_order = support_shop.small.ada_id, support_shop.small.ada_unshipped_order
    before = _snapshot(sessions, paid_order)
    new_address = PostalAddress(street="2 Other Road", city="Bergen", postcode="5003")

    failing_flush(True)
    with pytest.raises(OperationalError):
        support.change_address(ada, paid_order, new_address)
    after_failure = _snapshot(sessions, paid_order)
    failing_flush(False)
    done = support.change_address(ada, paid_order, new_address)

    assert after_failure == before
    assert isinstance(done, AddressChanged)
    assert _snapshot(sessions, paid_order)[1:3] == ("2 Other Road", "Bergen")
