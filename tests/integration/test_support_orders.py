"""The support operations on SQLite and PostgreSQL: scoped to the customer, rules re-checked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import Order, OrderStatus, Refund, Return
from insight.support.address import PostalAddress
from insight.support.orders import (
    AddressChanged,
    Cancellation,
    OrderSupport,
    RefundMethod,
    Refusal,
    Refused,
    ReturnableOrder,
    ReturnStarted,
)
from tests.factories import TODAY, SupportShopFixture, build_support_shop

NEW_ADDRESS = PostalAddress("12 Baker Street", "London", "NW1 6XE")


@pytest.fixture
def support_shop(sessions: sessionmaker[Session]) -> SupportShopFixture:
    return build_support_shop(sessions)


@pytest.fixture
def support(sessions: sessionmaker[Session]) -> OrderSupport:
    return OrderSupport(sessions, return_window_days=30, clock=lambda: TODAY)


def _order(sessions: sessionmaker[Session], number: str) -> Order:
    with sessions() as session:
        order = session.scalar(select(Order).where(Order.number == number))
        assert order is not None
        return order


def test_cancelling_a_paid_order_cancels_it_and_owes_a_refund(
    sessions: sessionmaker[Session], support: OrderSupport, support_shop: SupportShopFixture
) -> None:
    shop = support_shop.small

    outcome = support.cancel(shop.ada_id, shop.ada_unshipped_order)

    assert outcome == Cancellation(shop.ada_unshipped_order, Decimal("199.80"), "EUR")
    assert _order(sessions, shop.ada_unshipped_order).status == OrderStatus.CANCELLED
    with sessions() as session:
        refund = session.scalar(select(Refund).where(Refund.amount == Decimal("199.80")))
        assert refund is not None and refund.method == "paypal" and refund.status == "pending"
    assert support.cancel(shop.ada_id, shop.ada_unshipped_order) == Refused(
        Refusal.CANCELLED, shop.ada_unshipped_order
    )


def test_an_unpaid_order_is_cancelled_without_a_refund(
    support: OrderSupport, support_shop: SupportShopFixture
) -> None:
    shop = support_shop.small

    assert support.cancel(shop.ben_id, shop.ben_order) == Cancellation(shop.ben_order, None, "EUR")


def test_a_shipped_order_cannot_be_cancelled_or_redirected(
    sessions: sessionmaker[Session], support: OrderSupport, support_shop: SupportShopFixture
) -> None:
    shop = support_shop.small
    shipped = Refused(Refusal.DISPATCHED, shop.ada_shipped_order)

    assert support.check_before_dispatch(shop.ada_id, shop.ada_shipped_order) == shipped
    assert support.cancel(shop.ada_id, shop.ada_shipped_order) == shipped
    assert support.change_address(shop.ada_id, shop.ada_shipped_order, NEW_ADDRESS) == shipped
    order = _order(sessions, shop.ada_shipped_order)
    assert (order.status, order.ship_street) == (OrderStatus.SHIPPED, "1 Test Street")


def test_nobody_can_touch_another_customers_order(
    sessions: sessionmaker[Session], support: OrderSupport, support_shop: SupportShopFixture
) -> None:
    shop = support_shop.small
    missing = Refused(Refusal.NOT_FOUND, shop.ben_order)

    assert support.check_before_dispatch(shop.ada_id, shop.ben_order) == missing
    assert support.cancel(shop.ada_id, shop.ben_order) == missing
    assert support.change_address(shop.ada_id, shop.ben_order, NEW_ADDRESS) == missing
    assert support.check_returnable(shop.ada_id, support_shop.cleo_recent_delivered) == Refused(
        Refusal.NOT_FOUND, support_shop.cleo_recent_delivered
    )
    assert support.refunds(shop.ada_id, support_shop.cleo_returned) is None
    order = _order(sessions, shop.ben_order)
    assert (order.status, order.ship_street) == (OrderStatus.PLACED, "1 Test Street")


def test_the_address_changes_before_dispatch(
    sessions: sessionmaker[Session], support: OrderSupport, support_shop: SupportShopFixture
) -> None:
    shop = support_shop.small

    outcome = support.change_address(shop.ada_id, "ss 100002", NEW_ADDRESS)

    assert outcome == AddressChanged(shop.ada_unshipped_order, NEW_ADDRESS, "NO")
    order = _order(sessions, shop.ada_unshipped_order)
    assert (order.ship_street, order.ship_city, order.ship_postcode) == (
        "12 Baker Street",
        "London",
        "NW1 6XE",
    )


def test_a_delivered_order_is_returnable_within_the_window(
    support: OrderSupport, support_shop: SupportShopFixture
) -> None:
    checked = support.check_returnable(support_shop.cleo_id, support_shop.cleo_recent_delivered)

    assert isinstance(checked, ReturnableOrder)
    assert [line.product_name for line in checked.lines] == ["Quiet 2 Headphones", "Aero 14 Laptop"]
    assert checked.deadline == date(2026, 12, 10)


def test_returns_are_refused_outside_the_window_before_delivery_and_twice(
    sessions: sessionmaker[Session], support: OrderSupport, support_shop: SupportShopFixture
) -> None:
    cleo, shop = support_shop.cleo_id, support_shop.small

    assert support.check_returnable(cleo, support_shop.cleo_old_delivered) == Refused(
        Refusal.WINDOW_PASSED, support_shop.cleo_old_delivered, date(2026, 10, 21)
    )
    assert support.check_returnable(cleo, support_shop.cleo_returned) == Refused(
        Refusal.NOTHING_LEFT, support_shop.cleo_returned
    )
    assert support.check_returnable(shop.ada_id, shop.ada_shipped_order) == Refused(
        Refusal.NOT_DELIVERED, shop.ada_shipped_order
    )
    longer = OrderSupport(sessions, return_window_days=90, clock=lambda: TODAY)
    assert isinstance(
        longer.check_returnable(cleo, support_shop.cleo_old_delivered), ReturnableOrder
    )


def test_starting_a_return_records_it_and_leaves_the_rest_returnable(
    sessions: sessionmaker[Session], support: OrderSupport, support_shop: SupportShopFixture
) -> None:
    cleo, number = support_shop.cleo_id, support_shop.cleo_recent_delivered
    started = support.start_return(
        cleo, number, "the aero laptop", "Screen  flickers", RefundMethod.STORE_CREDIT
    )

    assert isinstance(started, ReturnStarted)
    assert (started.product_name, started.quantity, started.amount) == (
        "Aero 14 Laptop",
        1,
        Decimal("799.00"),
    )
    with sessions() as session:
        created = session.get(Return, started.return_id)
        assert created is not None
        assert (created.reason, created.refund_method, created.status) == (
            "Screen flickers",
            "store_credit",
            "requested",
        )
    again = support.start_return(cleo, number, "Aero 14 Laptop", "x", RefundMethod.STORE_CREDIT)
    assert again == Refused(Refusal.UNKNOWN_ITEM, number)
    left = support.check_returnable(cleo, number)
    assert isinstance(left, ReturnableOrder)
    assert [line.product_name for line in left.lines] == ["Quiet 2 Headphones"]


def test_refunds_show_the_latest_order_with_money_coming_back(
    support: OrderSupport, support_shop: SupportShopFixture
) -> None:
    overview = support.refunds(support_shop.cleo_id, None)

    assert overview is not None and overview.order_number == support_shop.cleo_returned
    assert [(r.product_name, r.status) for r in overview.returns] == [
        ("Quiet 2 Headphones", "received")
    ]
    assert [(r.amount, r.status) for r in overview.refunds] == [(Decimal("99.90"), "pending")]
    assert support.refunds(support_shop.small.ben_id, None) is None


def test_the_latest_returnable_order_is_preferred_for_returns(
    support: OrderSupport, support_shop: SupportShopFixture
) -> None:
    latest = support.latest_returnable(support_shop.cleo_id)

    assert latest is not None and latest.number == support_shop.cleo_recent_delivered
    fallback = support.latest_returnable(support_shop.small.ada_id)
    assert fallback is not None and fallback.number == support_shop.small.ada_unshipped_order


def test_today_is_the_clocks_day(support: OrderSupport) -> None:
    assert support.today() == date(2026, 11, 20)
