"""Behaviour features per customer, vectorised over the whole shop (no per-customer loops).

Definitions (``as_of`` is the build's reference time; cancelled orders do not count):

- ``recency_days``: days from the last order to ``as_of`` (NaN without orders)
- ``frequency``: number of orders; ``monetary``: their summed totals
- ``avg_order_value``: monetary ÷ frequency (NaN without orders)
- ``tenure_days``: days from account creation to ``as_of``
- ``avg_unit_price``: quantity-weighted mean unit price paid; ``price_band`` compares it with
  the catalogue's price tertiles (``budget`` / ``mid`` / ``premium``)
- category and brand affinity: each one's share of the customer's line spend
- ``views_per_order``: browsing events of type ``product_view`` ÷ orders (the browse-to-buy
  ratio; NaN without orders)
- ``return_rate``: returned units ÷ purchased units (NaN without purchased units)
- ``days_since_contact``: days since the last conversation or ticket (NaN if none)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insight.profiles.frames import CANCELLED, ShopFrames

VIEW_EVENT = "product_view"
PRICE_BANDS = ("budget", "mid", "premium")
TOP_AFFINITIES = 3


def price_edges(products: pd.DataFrame) -> tuple[float, float]:
    """The catalogue's price tertiles, the boundaries between the three price bands."""
    if products.empty:
        return (0.0, 0.0)
    low, high = np.quantile(products["price"].to_numpy(dtype=np.float64), [1 / 3, 2 / 3])
    return (float(low), float(high))


def price_band(avg_unit_price: pd.Series, edges: tuple[float, float]) -> pd.Series:
    """``budget`` below the lower tertile, ``premium`` from the upper one, else ``mid``."""
    codes = np.where(avg_unit_price >= edges[1], 2, np.where(avg_unit_price >= edges[0], 1, 0))
    bands = pd.Series(np.asarray(PRICE_BANDS, dtype=object)[codes], index=avg_unit_price.index)
    return bands.where(avg_unit_price.notna())


def _days(delta: pd.Series) -> pd.Series:
    seconds: pd.Series = delta.dt.total_seconds()
    return seconds / 86_400


def spend_shares(frames: ShopFrames, key: str) -> pd.DataFrame:
    """Long frame ``customer_id, <key>, share``: each category's (or brand's) share of spend."""
    lines = frames.lines.merge(frames.orders[["order_id", "status"]], on="order_id")
    lines = lines[lines["status"] != CANCELLED]
    lines = lines.merge(frames.products[["product_id", key]], on="product_id")
    spend = lines["quantity"] * lines["unit_price"]
    per_key = spend.groupby([lines["customer_id"], lines[key]]).sum().rename("spend").reset_index()
    totals = per_key.groupby("customer_id")["spend"].transform("sum")
    per_key["share"] = (per_key["spend"] / totals).where(totals > 0, 0.0)
    return per_key[["customer_id", key, "share"]]


def top_names(shares: pd.DataFrame, key: str, customers: pd.Index) -> pd.Series:
    """Each customer's top ``TOP_AFFINITIES`` names by share (ties by name) as a tuple."""
    ranked = shares[shares["share"] > 0].sort_values(
        ["customer_id", "share", key], ascending=[True, False, True]
    )
    top = ranked.groupby("customer_id").head(TOP_AFFINITIES)
    grouped = top.groupby("customer_id")[key].agg(tuple)
    return grouped.reindex(customers).apply(lambda names: names if isinstance(names, tuple) else ())


def behaviour_features(
    frames: ShopFrames, as_of: pd.Timestamp, edges: tuple[float, float]
) -> pd.DataFrame:
    """One row per customer of ``frames.customers`` (index ``customer_id``), see module doc."""
    frames = frames.until(as_of)
    customers = pd.Index(frames.customers["customer_id"].to_numpy(), name="customer_id")
    orders = frames.orders[frames.orders["status"] != CANCELLED]
    by_customer = orders.groupby("customer_id")
    last_order = orders.sort_values(["placed_at", "order_id"]).groupby("customer_id").tail(1)
    last_order = last_order.set_index("customer_id").reindex(customers)
    frequency = by_customer.size().reindex(customers, fill_value=0)
    monetary = by_customer["total"].sum().reindex(customers, fill_value=0.0)

    kept_lines = frames.lines[frames.lines["order_id"].isin(orders["order_id"])]
    units = kept_lines.groupby("customer_id")["quantity"].sum().reindex(customers, fill_value=0)
    paid = (
        (kept_lines["quantity"] * kept_lines["unit_price"])
        .groupby(kept_lines["customer_id"])
        .sum()
        .reindex(customers, fill_value=0.0)
    )
    avg_unit_price = (paid / units).where(units > 0)

    views = frames.browsing[frames.browsing["event_type"] == VIEW_EVENT]
    view_count = views.groupby("customer_id").size().reindex(customers, fill_value=0)
    returned = frames.returns.groupby("customer_id")["quantity"].sum()
    returned = returned.reindex(customers, fill_value=0)
    last_contact = frames.contacts.groupby("customer_id")["at"].max().reindex(customers)
    created = frames.customers.set_index("customer_id")["created_at"].reindex(customers)

    features = pd.DataFrame(
        {
            "recency_days": _days(as_of - last_order["placed_at"]),
            "frequency": frequency.astype(np.int64),
            "monetary": monetary.astype(np.float64),
            "avg_order_value": (monetary / frequency).where(frequency > 0),
            "tenure_days": _days(as_of - created),
            "avg_unit_price": avg_unit_price,
            "price_band": price_band(avg_unit_price, edges),
            "views_per_order": (view_count / frequency).where(frequency > 0),
            "return_rate": (returned / units).where(units > 0),
            "days_since_contact": _days(as_of - last_contact),
            "last_order_number": last_order["number"],
            "last_order_at": last_order["placed_at"],
            "top_categories": top_names(spend_shares(frames, "category"), "category", customers),
            "top_brands": top_names(spend_shares(frames, "brand"), "brand", customers),
        },
        index=customers,
    )
    return features
