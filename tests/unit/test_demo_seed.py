"""The demo shop seeder: deterministic, internally consistent, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import enum
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from insight.agents import DEMO_AGENT_PASSWORD, DEMO_AGENTS
from insight.datasets import load_electronics_catalog, load_electronics_orders
from insight.db.engine import make_engine
from insight.db.migrate import upgrade
from insight.db.models import (
    Agent,
    Base,
    BrowsingEvent,
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Refund,
    Return,
    ReturnStatus,
    Review,
    Shipment,
    Voucher,
)
from insight.demo.catalog import build_products
from insight.demo.clock import DEMO_NOW
from insight.demo.orders import order_status
from insight.demo.seed import seed_demo_shop
from insight.demo.skeleton import build_skeleton
from insight.demo.taste import DEPARTMENTS, TasteModel
from insight.repositories.orders import normalise_order_number
from insight.settings import Settings
from insight.support.policies import shop_currency
from insight.support.vouchers import Verdict, VoucherDesk

SMALL_SHOP = 400
TINY_SHOP = 120
SHIPPED = {OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED}


def _seeded_sqlite(path: Path, customers: int, seed: int = 7) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed_demo_shop(engine, customers=customers, seed=seed, show_progress=False)
    return engine


def _plain(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return repr(value)


def table_digests(engine: Engine) -> dict[str, str]:
    """A hash of every table's rows in id order.

    Agents' password hashes are salted and their accounts are stamped with the real time of
    creation, so only their usernames and names count.
    """
    digests = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [
                c
                for c in table.columns
                if (table.name, c.name)
                not in {("agents", "password_hash"), ("agents", "created_at")}
            ]
            rows = connection.execute(select(*columns).order_by(*table.primary_key.columns))
            text = "\n".join("|".join(_plain(value) for value in row) for row in rows)
            digests[table.name] = hashlib.sha256(text.encode()).hexdigest()
    return digests


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    engine = _seeded_sqlite(tmp_path_factory.mktemp("demo") / "shop.db", SMALL_SHOP)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture(scope="module")
def tiny_digests(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return table_digests(_seeded_sqlite(tmp_path_factory.mktemp("tiny") / "a.db", TINY_SHOP))


def test_same_seed_gives_the_same_database(tmp_path: Path, tiny_digests: dict[str, str]) -> None:
    again = table_digests(_seeded_sqlite(tmp_path / "b.db", TINY_SHOP))
    assert again == tiny_digests


def test_another_seed_gives_another_shop(tmp_path: Path, tiny_digests: dict[str, str]) -> None:
    other = table_digests(_seeded_sqlite(tmp_path / "c.db", TINY_SHOP, seed=8))
    assert other["orders"] != tiny_digests["orders"]
    assert other["browsing_events"] != tiny_digests["browsing_events"]


@pytest.mark.postgres
def test_postgresql_gets_the_same_rows_as_sqlite(
    postgres_engine: Engine, tiny_digests: dict[str, str]
) -> None:
    seed_demo_shop(postgres_engine, customers=TINY_SHOP, seed=7, show_progress=False)
    assert table_digests(postgres_engine) == tiny_digests
    with Session(postgres_engine) as session:  # sequences continue after the seeded ids
        session.add(
            Agent(username="carol", display_name="Carol", password_hash="x", created_at=DEMO_NOW)
        )
        session.commit()
        assert session.scalar(select(Agent.id).where(Agent.username == "carol")) == 3


def test_seeding_again_replaces_the_shop(tmp_path: Path) -> None:
    engine = _seeded_sqlite(tmp_path / "twice.db", 30)
    summary = seed_demo_shop(engine, customers=30, seed=7, show_progress=False)
    with Session(engine) as session:
        assert len(session.scalars(select(Customer)).all()) == summary["customers"] == 30
        assert len(session.scalars(select(Order)).all()) == summary["orders"]


def test_order_numbers_follow_the_shop_format_and_time(shop: Session) -> None:
    orders = shop.scalars(select(Order).order_by(Order.id)).all()
    assert all(re.fullmatch(r"SS-1\d{5}", order.number) for order in orders)
    assert all(
        normalise_order_number(order.number.lower().replace("-", " ")) == order.number
        for order in orders
    )
    placed = [order.placed_at for order in orders]
    assert placed == sorted(placed)
    assert max(placed) < DEMO_NOW


def test_order_totals_add_up_their_lines(shop: Session) -> None:
    for order in shop.scalars(select(Order)):
        assert order.lines
        assert order.total == sum(line.unit_price * line.quantity for line in order.lines)
        assert all(line.unit_price == line.product.price for line in order.lines)
        assert len({line.product_id for line in order.lines}) == len(order.lines)


def test_orders_are_in_the_currency_the_shop_quotes_its_prices_in(shop: Session) -> None:
    currencies = set(shop.scalars(select(Order.currency).distinct()))
    assert currencies == {shop_currency(Settings.from_env().knowledge_dir)}


def test_shipments_exist_exactly_for_orders_that_left_the_warehouse(shop: Session) -> None:
    for order in shop.scalars(select(Order)):
        assert len(order.shipments) == (1 if order.status in SHIPPED else 0), order.number


def test_shipment_dates_and_history_are_consistent(shop: Session) -> None:
    for shipment in shop.scalars(select(Shipment)):
        order = shipment.order
        assert order.placed_at < shipment.shipped_at <= DEMO_NOW
        assert shipment.eta >= shipment.shipped_at.date()
        times = [event.occurred_at for event in shipment.events]
        assert times == sorted(times)
        assert times[-1] <= DEMO_NOW
        assert shipment.status == shipment.events[-1].status
        if order.status == OrderStatus.SHIPPED:
            assert shipment.delivered_at is None
        else:
            assert shipment.delivered_at is not None
            assert shipment.delivered_at > shipment.shipped_at
            assert shipment.events[-1].occurred_at == shipment.delivered_at


def test_returns_and_refunds_match(shop: Session) -> None:
    returned_orders = set()
    for item in shop.scalars(select(Return)):
        order = shop.get_one(Order, item.order_id)
        line = shop.get_one(OrderLine, item.order_line_id)
        delivered_at = order.shipments[0].delivered_at
        assert order.status == OrderStatus.RETURNED and line.order_id == order.id
        assert delivered_at is not None
        assert delivered_at < item.created_at <= delivered_at + timedelta(days=30)
        assert 0 < item.quantity <= line.quantity
        returned_orders.add(order.id)
    assert returned_orders == set(
        shop.scalars(select(Order.id).where(Order.status == OrderStatus.RETURNED))
    )

    refunds = shop.scalars(select(Refund)).all()
    owed = shop.scalars(
        select(Return).where(Return.status.in_([ReturnStatus.RECEIVED, ReturnStatus.REFUNDED]))
    ).all()
    assert sorted(refund.return_id or 0 for refund in refunds) == sorted(r.id for r in owed)
    for refund in refunds:
        item = shop.get_one(Return, refund.return_id)
        line = shop.get_one(OrderLine, item.order_line_id)
        assert refund.order_id == item.order_id
        assert refund.amount == line.unit_price * item.quantity
        assert item.created_at < refund.created_at <= DEMO_NOW
        assert (refund.issued_at is not None) == (item.status == ReturnStatus.REFUNDED)


def test_reviews_are_for_delivered_products_after_delivery(shop: Session) -> None:
    reviews = shop.scalars(select(Review)).all()
    assert reviews
    for review in reviews:
        deliveries = [
            order.shipments[0].delivered_at
            for order in shop.scalars(
                select(Order)
                .join(OrderLine)
                .where(
                    Order.customer_id == review.customer_id,
                    OrderLine.product_id == review.product_id,
                    Order.status.in_([OrderStatus.DELIVERED, OrderStatus.RETURNED]),
                )
            )
        ]
        assert deliveries, review.id
        assert min(d for d in deliveries if d) < review.created_at <= DEMO_NOW
        assert 1 <= review.rating <= 5 and review.text.strip()
    pairs = Counter((review.customer_id, review.product_id) for review in reviews)
    assert max(pairs.values()) == 1


def test_browsing_happens_before_orders_and_checkouts_end_in_the_order(shop: Session) -> None:
    events = pd.read_sql(select(BrowsingEvent), shop.connection())
    orders = pd.read_sql(select(Order.customer_id, Order.placed_at), shop.connection())
    customers = pd.read_sql(select(Customer.id, Customer.created_at), shop.connection())
    last_order = orders.groupby("customer_id")["placed_at"].max()
    signed_up = customers.set_index("id")["created_at"]
    assert (events["occurred_at"] <= events["customer_id"].map(last_order)).all()
    assert (events["occurred_at"] > events["customer_id"].map(signed_up)).all()
    assert events.groupby("session_id")["customer_id"].nunique().max() == 1

    purchases = events[events["event_type"] == "purchase"]
    placed = set(zip(orders["customer_id"], orders["placed_at"], strict=True))
    assert purchases.apply(lambda e: (e["customer_id"], e["occurred_at"]) in placed, axis=1).all()
    product_events = events["event_type"].isin(
        ["product_view", "add_to_cart", "wishlist_add", "compare", "review_page"]
    )
    assert events.loc[product_events, "product_id"].notna().all()
    assert events.loc[~product_events, "product_id"].isna().all()


def test_customers_and_products_exist_before_their_orders(shop: Session) -> None:
    for customer in shop.scalars(select(Customer)):
        first = min(order.placed_at for order in customer.orders)
        assert customer.created_at < first
        assert re.fullmatch(r"[a-z]+\.[a-z]+\.\d+@example\.com", customer.email)
        assert customer.email.endswith(f".{customer.id}@example.com")
    latest_listing = shop.scalar(
        select(Product.created_at).order_by(Product.created_at.desc()).limit(1)
    )
    first_order = shop.scalar(select(Order.placed_at).order_by(Order.placed_at).limit(1))
    assert latest_listing is not None and first_order is not None
    assert latest_listing < first_order


def test_demo_agents_log_in_with_the_documented_passwords(shop: Session) -> None:
    agents = {agent.username: agent for agent in shop.scalars(select(Agent))}
    assert set(agents) == {username for username, _, _ in DEMO_AGENTS}
    for agent in agents.values():
        assert PasswordHasher().verify(agent.password_hash, DEMO_AGENT_PASSWORD)


def test_order_status_is_the_last_step_reached() -> None:
    now = np.datetime64("2024-09-24T10:00:00")
    step = np.timedelta64(1, "h")
    placed = now - np.arange(6)[::-1] * step  # orders placed 5 … 0 hours ago
    paid, packed, shipped, delivered = (placed + k * step for k in (1, 2, 3, 4))
    cancelled = np.array([False, False, False, False, False, True])
    status = order_status(
        cancelled,
        paid_at=paid,
        packed_at=packed,
        shipped_at=shipped,
        delivered_at=delivered,
        now=now,
    )
    assert list(status) == ["delivered", "delivered", "shipped", "packed", "paid", "cancelled"]
    later = now + np.arange(1, 5) * step
    unpaid = order_status(
        np.array([False]),
        paid_at=later[:1],
        packed_at=later[1:2],
        shipped_at=later[2:3],
        delivered_at=later[3:],
        now=now,
    )
    assert list(unpaid) == ["placed"]


def test_bigger_shops_are_grown_from_the_packaged_customers() -> None:
    source = load_electronics_orders()
    packaged = source["customer_ref"].nunique()
    grown = build_skeleton(source, packaged + 500, np.random.default_rng(3))
    extra = grown.customers.iloc[packaged:]
    assert len(extra) == 500 and extra["external_ref"].str.startswith("SYN-").all()
    assert extra["age"].between(18, 80).all()
    extra_orders = grown.orders[grown.orders["customer_id"] > packaged]
    assert 1.3 < len(extra_orders) / 500 < 2.0  # packaged customers average 1.65 orders
    assert (
        extra_orders["placed_at"]
        .between(
            source["purchase_date"].min(), source["purchase_date"].max() + pd.Timedelta(days=1)
        )
        .all()
    )
    assert sorted(grown.orders["id"]) == list(range(1, len(grown.orders) + 1))


def test_department_lines_come_from_their_department() -> None:
    products = build_products(load_electronics_catalog(), np.random.default_rng(1))
    taste = TasteModel.from_products(products)
    rng = np.random.default_rng(2)
    counts = rng.integers(1, 3, (50, len(taste.departments))).astype(float)
    probs = taste.preferences(counts, rng.random(50), rng)
    assert np.allclose(probs.sum(axis=1), 1.0)
    rows = np.repeat(np.arange(50), 20)
    for code, name in enumerate(taste.departments):
        drawn = taste.sample(probs, rows, rng, departments=np.full(len(rows), code))
        assert set(products["category"].to_numpy()[drawn]) <= set(DEPARTMENTS[name])


def test_the_demo_vouchers_show_every_answer_to_a_code_that_does_not_apply(shop: Session) -> None:
    first, second = shop.scalars(select(Customer.id).order_by(Customer.id).limit(2)).all()
    desk = VoucherDesk(sessionmaker(shop.get_bind()), clock=lambda: DEMO_NOW)
    seen = {
        desk.check(code, first, Decimal(30) if code == "SAVE10" else None).verdict
        for code in shop.scalars(select(Voucher.code))
    }
    seen.add(desk.check("NOSUCHCODE", first, None).verdict)
    seen.add(desk.check("TV50", first, None).verdict)
    assert seen == set(Verdict) - {Verdict.EXCLUDED_CATEGORY}  # that one needs a TV in the basket
    assert desk.check("VIP20", second, None).verdict == Verdict.VALID
