from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from insight.repositories import CustomerRepository, OrderRepository, ProductRepository
from insight.repositories.orders import normalise_order_number
from tests.factories import ShopFixture


def test_a_customer_sees_their_order_with_shipment_history_oldest_first(
    sessions: sessionmaker[Session], shop: ShopFixture
) -> None:
    order = OrderRepository(sessions).for_customer(shop.ada_id, shop.ada_shipped_order)

    assert order is not None
    assert order.status == "shipped"
    assert [line.product_name for line in order.lines] == ["Aero 14 Laptop"]
    shipment = order.latest_shipment
    assert shipment is not None and shipment.carrier == "DHL"
    assert [event.location for event in shipment.events] == ["Berlin", "Hamburg"]


def test_another_customers_order_looks_exactly_like_a_missing_one(
    sessions: sessionmaker[Session], shop: ShopFixture
) -> None:
    orders = OrderRepository(sessions)

    assert orders.for_customer(shop.ada_id, shop.ben_order) is None
    assert orders.for_customer(shop.ada_id, "SS-999999") is None
    assert orders.for_customer(shop.ben_id, shop.ben_order) is not None


def test_order_numbers_are_matched_however_the_shopper_types_them(
    sessions: sessionmaker[Session], shop: ShopFixture
) -> None:
    orders = OrderRepository(sessions)

    for typed in ("ss-100001", "SS 100001", "100001", " SS100001 "):
        found = orders.for_customer(shop.ada_id, typed)
        assert found is not None and found.number == "SS-100001", typed
    assert normalise_order_number("' OR 1=1 --") == "' OR 1=1 --"
    assert orders.for_customer(shop.ada_id, "' OR 1=1 --") is None


def test_latest_order_is_the_most_recently_placed(
    sessions: sessionmaker[Session], shop: ShopFixture
) -> None:
    latest = OrderRepository(sessions).latest_for_customer(shop.ada_id)

    assert latest is not None and latest.number == shop.ada_unshipped_order
    assert latest.total == Decimal("199.80")
    assert [o.number for o in OrderRepository(sessions).recent_for_customer(shop.ada_id)] == [
        shop.ada_unshipped_order,
        shop.ada_shipped_order,
    ]


def test_a_guest_is_verified_only_with_the_email_on_the_account(
    sessions: sessionmaker[Session], shop: ShopFixture
) -> None:
    orders = OrderRepository(sessions)

    assert orders.verify_guest(shop.ada_shipped_order, "ADA@example.com ") == shop.ada_id
    assert orders.verify_guest(shop.ada_shipped_order, "ben@example.com") is None
    assert orders.verify_guest("SS-999999", "ada@example.com") is None


def test_categories_count_products_and_span_their_prices(
    sessions: sessionmaker[Session], shop: ShopFixture
) -> None:
    categories = ProductRepository(sessions).categories()

    assert [(c.name, c.product_count) for c in categories] == [("Laptops", 2), ("Headphones", 1)]
    assert (categories[0].min_price, categories[0].max_price) == (
        Decimal("799.00"),
        Decimal("1199.00"),
    )


def test_customers_are_found_by_id_and_case_insensitive_email(
    sessions: sessionmaker[Session], shop: ShopFixture
) -> None:
    customers = CustomerRepository(sessions)

    ada = customers.get(shop.ada_id)
    assert ada is not None and ada.first_name == "Ada"
    assert customers.by_email("Ben@Example.com") is not None
    assert customers.get(10_000) is None
    assert customers.count() == 2
