"""A synthetic shop of any size, generated vectorised, for scale benchmarks and model tests.

About ten events per customer (orders, order lines, browsing events, reviews, returns and
contacts together): one million customers make about ten million events. Customers differ in
activity, lifetime, price taste and favourite category, so segments and churn have structure
to find. Review texts are built from a small phrase book (about 900 distinct texts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insight.profiles.frames import ShopFrames

SYNTHETIC_NOW = pd.Timestamp("2026-06-30 12:00")
CATEGORIES = ("Laptops", "Phones", "Headphones", "Tablets", "Cameras", "TVs", "Cables", "Watches")
EVENT_TYPES = (
    "product_view",
    "product_view",
    "product_view",
    "catalog",
    "search",
    "add_to_cart",
    "cart",
)
STATUSES = ("delivered", "delivered", "delivered", "shipped", "paid", "cancelled", "returned")
_GOOD = (
    "battery life is excellent",
    "the screen is sharp and bright",
    "sound quality is great",
    "delivery was fast",
    "great value for the price",
    "setup was easy",
    "the camera is superb",
    "build quality feels premium",
    "love the design",
    "works perfectly",
    "customer support was helpful",
    "very comfortable to wear",
    "fast and reliable",
    "the keyboard is a joy",
    "excellent picture quality",
)
_BAD = (
    "battery drains too fast",
    "the screen cracked after a week",
    "sound is tinny and weak",
    "delivery was late",
    "overpriced for what it is",
    "setup was confusing",
    "the camera is blurry",
    "feels cheap and flimsy",
    "ugly design",
    "stopped working after a month",
    "support never answered",
    "uncomfortable after an hour",
    "slow and laggy",
    "keys started sticking",
    "picture is washed out",
)


def synthetic_shop(customers: int, seed: int = 0, products: int = 500) -> ShopFrames:
    rng = np.random.default_rng(seed)
    now = SYNTHETIC_NOW
    day = np.timedelta64(1, "D")
    ids = np.arange(1, customers + 1, dtype=np.int64)
    age_days = rng.uniform(1, 730, customers)
    created = now - pd.to_timedelta(age_days, unit="D")
    activity = rng.gamma(1.2, 1.0, customers)  # orders per 180 days while active
    lifetime = rng.exponential(300, customers)
    taste = rng.integers(0, len(CATEGORIES), customers)
    thrift = rng.uniform(0, 1, customers)
    mood = rng.normal(0.3, 0.6, customers)

    product_ids = np.arange(1, products + 1, dtype=np.int64)
    product_category = rng.integers(0, len(CATEGORIES), products)
    prices = np.round(np.exp(rng.normal(4.5, 1.2, products)), 2)
    product_frame = pd.DataFrame(
        {
            "product_id": product_ids,
            "category": np.asarray(CATEGORIES, dtype=object)[product_category],
            "brand": np.char.add("Brand", (product_ids % 20).astype(str)).astype(object),
            "price": prices,
        }
    )
    by_category = [np.flatnonzero(product_category == c) for c in range(len(CATEGORIES))]
    cheap_first = [idx[np.argsort(prices[idx])] for idx in by_category]

    active_days = np.minimum(age_days, lifetime)
    n_orders = rng.poisson(activity * active_days / 180 + 0.3)
    owner = np.repeat(np.arange(customers), n_orders)
    order_offset = rng.uniform(0, 1, len(owner)) * active_days[owner]
    placed = created.to_numpy()[owner] + (order_offset * 86400).astype("timedelta64[s]")
    order_ids = np.arange(1, len(owner) + 1, dtype=np.int64)

    n_lines = 1 + (rng.uniform(0, 1, len(owner)) < 0.5)
    line_order = np.repeat(np.arange(len(owner)), n_lines)
    line_customer = owner[line_order]
    own_category = rng.uniform(0, 1, len(line_order)) < 0.7
    category = np.where(
        own_category, taste[line_customer], rng.integers(0, len(CATEGORIES), len(line_order))
    )
    position = np.clip((1 - thrift[line_customer]) + rng.normal(0, 0.15, len(line_order)), 0, 0.999)
    line_product = np.empty(len(line_order), dtype=np.int64)
    for c in range(len(CATEGORIES)):
        mask = category == c
        pool = cheap_first[c]
        line_product[mask] = product_ids[pool[(position[mask] * len(pool)).astype(np.int64)]]
    quantity = 1 + (rng.uniform(0, 1, len(line_order)) < 0.2)
    unit_price = prices[line_product - 1]
    totals = np.bincount(line_order, weights=quantity * unit_price, minlength=len(owner))
    status = np.asarray(STATUSES, dtype=object)[rng.integers(0, len(STATUSES), len(owner))]
    orders = pd.DataFrame(
        {
            "order_id": order_ids,
            "customer_id": ids[owner],
            "number": np.char.add("SS-", order_ids.astype(str)).astype(object),
            "placed_at": placed,
            "status": status,
            "total": np.round(totals, 2),
        }
    )
    lines = pd.DataFrame(
        {
            "order_id": order_ids[line_order],
            "customer_id": ids[line_customer],
            "product_id": line_product,
            "quantity": quantity.astype(np.int64),
            "unit_price": unit_price,
        }
    )

    n_views = rng.poisson(3.5 + 1.5 * activity)
    viewer = np.repeat(np.arange(customers), n_views)
    view_offset = rng.uniform(0, 1, len(viewer)) * age_days[viewer]
    browsing = pd.DataFrame(
        {
            "customer_id": ids[viewer],
            "event_type": pd.Categorical(
                np.asarray(EVENT_TYPES, dtype=object)[
                    rng.integers(0, len(EVENT_TYPES), len(viewer))
                ]
            ),
            "occurred_at": created.to_numpy()[viewer]
            + (view_offset * 86400).astype("timedelta64[s]"),
        }
    )

    reviewed = np.flatnonzero(rng.uniform(0, 1, len(line_order)) < 0.1)
    reviewed = reviewed[
        ~pd.DataFrame({"c": line_customer[reviewed], "p": line_product[reviewed]})
        .duplicated()
        .to_numpy()
    ]
    happy = rng.uniform(0, 1, len(reviewed)) < 1 / (1 + np.exp(-2 * mood[line_customer[reviewed]]))
    first = rng.integers(0, len(_GOOD), len(reviewed))
    second = rng.integers(0, len(_GOOD), len(reviewed))
    good, bad = np.asarray(_GOOD, dtype=object), np.asarray(_BAD, dtype=object)
    phrase_one = np.where(happy, good[first], bad[first])
    phrase_two = np.where(happy, good[second], bad[second])
    texts = np.char.add(np.char.add(phrase_one.astype(str), ", "), phrase_two.astype(str))
    review_at = placed[line_order[reviewed]] + (rng.uniform(2, 30, len(reviewed)) * 86400).astype(
        "timedelta64[s]"
    )
    reviews = pd.DataFrame(
        {
            "review_id": np.arange(1, len(reviewed) + 1, dtype=np.int64),
            "customer_id": ids[line_customer[reviewed]],
            "product_id": line_product[reviewed],
            "rating": np.where(
                happy, rng.integers(4, 6, len(reviewed)), rng.integers(1, 3, len(reviewed))
            ).astype(np.float64),
            "text": texts.astype(object),
            "created_at": review_at,
        }
    )

    returned = np.flatnonzero(rng.uniform(0, 1, len(line_order)) < 0.05)
    returns = pd.DataFrame(
        {
            "customer_id": ids[line_customer[returned]],
            "quantity": np.ones(len(returned), dtype=np.int64),
            "created_at": placed[line_order[returned]] + 10 * day,
        }
    )
    contacted = np.flatnonzero(rng.uniform(0, 1, customers) < 0.2)
    contacts = pd.DataFrame(
        {
            "customer_id": ids[contacted],
            "at": now.to_datetime64()
            - (rng.uniform(0, 1, len(contacted)) * age_days[contacted] * 86400).astype(
                "timedelta64[s]"
            ),
        }
    )
    return ShopFrames(
        customers=pd.DataFrame({"customer_id": ids, "created_at": created.to_numpy()}),
        orders=orders,
        lines=lines,
        products=product_frame,
        browsing=browsing,
        reviews=reviews,
        returns=returns,
        contacts=contacts,
    )


def event_count(frames: ShopFrames) -> int:
    """Orders, order lines, browsing events, reviews, returns and contacts together."""
    return sum(
        len(frame)
        for frame in (
            frames.orders,
            frames.lines,
            frames.browsing,
            frames.reviews,
            frames.returns,
            frames.contacts,
        )
    )
