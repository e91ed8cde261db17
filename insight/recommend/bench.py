"""Suggestion latency and training time at 1k / 10k / 100k products (``make bench`` →
``recommend_ms``).

The shops are synthetic, the same shape as the demo shop but larger: ``products / 50``
categories (at least 20), ``products / 20`` brands, log-normal prices, and as many customers as
products (at least 5,000), each with about eight interactions (30% purchases) mostly in two
favourite categories, products within a category drawn with a skew towards bestsellers. Product
vectors are random unit vectors clustered by category, standing in for text embeddings:
encoding 100,000 descriptions with MiniLM takes minutes and measures the encoder, which the
FAQ benchmark already does.

``train_s`` is fitting everything (popularity, category transitions, ALS, the content neighbour
table). ``p50``/``p95`` time one top 10 for a customer with history, in memory, as the assistant
asks it: fold-in, a score for every product, re-ranking with a profile, exclusions and reasons.
The database reads around it (the customer's history, stock of the picks) are not included.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from rich.table import Table

from insight.embeddings import MINILM_DIM, Vectors, normalise_rows
from insight.recommend.interactions import PURCHASE, ShopInteractions, typed
from insight.recommend.model import RecommendConfig, train
from insight.recommend.ranking import History, Ranker, Taste
from insight.results import update_results

DEFAULT_SIZES = (1_000, 10_000, 100_000)
EVENTS_PER_CUSTOMER = 8
SEGMENTS = ("bargain hunters", "premium shoppers", "window shoppers", "frequent returners")


def synthetic_shop(products: int, seed: int = 0) -> tuple[ShopInteractions, Vectors]:
    rng = np.random.default_rng(seed)
    categories = max(20, products // 50)
    category = np.sort(rng.integers(0, categories, products))
    catalogue = pd.DataFrame(
        {
            "product_id": np.arange(1, products + 1),
            "name": [f"Product {n}" for n in range(products)],
            "category": [f"Category {c:04d}" for c in category],
            "brand": [f"Brand {b}" for b in rng.integers(0, max(10, products // 20), products)],
            "price": np.round(rng.lognormal(4.5, 1.0, products), 2),
            "description": "",
        }
    )
    centroids = rng.standard_normal((categories, MINILM_DIM), dtype=np.float32)
    noise = rng.standard_normal((products, MINILM_DIM), dtype=np.float32)
    vectors = normalise_rows(centroids[category] + 0.8 * noise)

    customers = max(5_000, products)
    counts = 1 + rng.poisson(EVENTS_PER_CUSTOMER - 1, customers)
    owner = np.repeat(np.arange(customers), counts)
    favourites = rng.integers(0, categories, (customers, 2))
    chosen = np.where(
        rng.random(len(owner)) < 0.8,
        favourites[owner, rng.integers(0, 2, len(owner))],
        rng.integers(0, categories, len(owner)),
    )
    first = np.searchsorted(category, np.arange(categories))
    size = np.bincount(category, minlength=categories)
    within = (rng.random(len(owner)) ** 2 * size[chosen]).astype(np.int64)
    picked = first[chosen] + np.minimum(within, np.maximum(size[chosen] - 1, 0))
    picked = np.where(size[chosen] > 0, picked, rng.integers(0, products, len(owner)))
    start = pd.Timestamp("2024-01-01")
    events = pd.DataFrame(
        {
            "customer_id": owner + 1,
            "product_id": picked + 1,
            "kind": np.where(rng.random(len(owner)) < 0.3, PURCHASE, "product_view"),
            "at": start + pd.to_timedelta(rng.integers(0, 365 * 86_400, len(owner)), unit="s"),
        }
    )
    events["weight"] = np.where(events["kind"] == PURCHASE, 1.0, 0.2)
    shop = ShopInteractions(
        products=catalogue,
        events=events,
        returns=pd.DataFrame({"customer_id": [], "product_id": [], "at": pd.to_datetime([])}),
        segments=pd.DataFrame(
            {"customer_id": np.arange(1, customers + 1), "segment": rng.choice(SEGMENTS, customers)}
        ),
        sentiment=pd.DataFrame({"product_id": [], "sentiment": [], "reviews": []}),
    )
    return typed(shop), vectors


def bench_size(products: int, queries: int = 200, seed: int = 0) -> dict[str, Any]:
    """Train on a synthetic shop of ``products`` and time ``queries`` top-10 requests."""
    shop, vectors = synthetic_shop(products, seed)
    config = RecommendConfig()
    started = time.perf_counter()
    model = train(shop, vectors, config)
    train_s = time.perf_counter() - started
    ranker = Ranker(model)
    taste = Taste(
        categories=model.catalogue.category_names[:2],
        brands=model.catalogue.brand_names[:2],
        price_band="mid",
        segment=SEGMENTS[0],
    )
    by_customer = dict(tuple(shop.events.groupby("customer_id")))
    rng = np.random.default_rng(seed + 1)
    customers = rng.choice(np.array(list(by_customer)), size=queries + 10)
    histories = []
    for customer in customers:
        events = by_customer[int(customer)]
        histories.append(
            (
                History.from_events(
                    model, events, events["at"].max(), config.history_half_life_days
                ),
                model.catalogue.positions(events.loc[events["kind"] == PURCHASE, "product_id"]),
            )
        )
    timings = []
    for number, (history, bought) in enumerate(histories):
        t0 = time.perf_counter()
        ranker.for_customer(history, taste, ranker.allowed(excluded=bought), 10)
        if number >= 10:  # the first 10 warm caches up and are not counted
            timings.append((time.perf_counter() - t0) * 1000)
    return {
        "products": products,
        "customers": int(shop.events["customer_id"].nunique()),
        "interactions": len(shop.events),
        "p50": float(np.percentile(timings, 50)),
        "p95": float(np.percentile(timings, 95)),
        "train_s": train_s,
    }


def run_recommend_bench(
    sizes: Sequence[int] = DEFAULT_SIZES, *, queries: int = 200, record: bool = True
) -> list[dict[str, Any]]:
    """Time every size and, when ``record``, write ``bench`` → ``recommend_ms``."""
    rows = [bench_size(size, queries) for size in sizes]
    if record:
        update_results("bench", "recommend_ms", rows)
    return rows


def bench_table(rows: Sequence[dict[str, Any]]) -> Table:
    table = Table(title="Suggestions: top 10 for a customer (ms, in memory) and training time (s)")
    columns = ("products", "customers", "interactions", "p50", "p95", "train_s")
    for column in columns:
        table.add_column(column, justify="right")
    for row in rows:
        cells = [row[column] for column in columns]
        table.add_row(*(f"{c:,.3f}" if isinstance(c, float) else f"{c:,}" for c in cells))
    return table
