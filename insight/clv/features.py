"""Per-customer RFM and inter-purchase features from a transaction log, fully vectorised.

A transaction log is a frame with ``customer_id`` (int), ``at`` (datetime64) and ``amount``
(float). Transactions of one customer on the same calendar day count as one purchase (as in
``lifetimes``' summaries), so "purchases" below means purchase days.

Features describe a customer at a ``cutoff`` from purchases strictly before it; targets count
what happened in ``[cutoff, cutoff + horizon)``. Training windows whose horizon ends by the
evaluation cutoff keep the evaluation honest (no look-ahead).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

TRANSACTION_COLUMNS = ("customer_id", "at", "amount")
RECENT_WINDOWS_DAYS = (30, 90, 180)
FEATURE_COLUMNS = (
    "purchases",
    "frequency",
    "tenure_days",
    "recency_days",
    "days_since_last",
    "monetary_total",
    "monetary_mean",
    "first_value",
    "last_value",
    "ipt_mean",
    "ipt_std",
    "overdue_ratio",
    "rate_per_30d",
    *(f"purchases_last_{w}d" for w in RECENT_WINDOWS_DAYS),
    "spend_last_90d",
)


def purchase_days(transactions: pd.DataFrame) -> pd.DataFrame:
    """One row per customer and calendar day with the day's total ``amount``, sorted."""
    missing = set(TRANSACTION_COLUMNS) - set(transactions.columns)
    if missing:
        raise ValueError(f"transactions lack columns {sorted(missing)}")
    days = transactions.assign(day=transactions["at"].dt.floor("D"))
    return days.groupby(["customer_id", "day"], sort=True)["amount"].sum().reset_index()


def features_at(days: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Features of every customer with a purchase day before ``cutoff`` (index: customer_id).

    ``days`` comes from :func:`purchase_days`. Durations are in days; ``recency_days`` is the
    BG/NBD recency (first to last purchase), ``days_since_last`` the gap up to the cutoff;
    ``ipt_*`` are inter-purchase times (NaN for a single purchase, which the gradient-boosting
    models handle natively).
    """
    past = days[days["day"] < cutoff]
    groups = past.groupby("customer_id", sort=True)
    first = groups["day"].min()
    last = groups["day"].max()
    purchases = groups.size().astype("float64")
    total = groups["amount"].sum()
    frequency = purchases - 1.0
    tenure = (cutoff - first).dt.days.astype("float64")
    span = (last - first).dt.days.astype("float64")
    since_last = (cutoff - last).dt.days.astype("float64")
    ipt_mean = (span / frequency).where(frequency > 0)

    gaps = past["day"].diff().dt.days.astype("float64")
    gaps = gaps.where(past["customer_id"].eq(past["customer_id"].shift()))
    ipt_std = gaps.groupby(past["customer_id"]).std(ddof=0)
    ipt_std = ipt_std.where(frequency.reindex(ipt_std.index) > 1)

    frame = pd.DataFrame(
        {
            "purchases": purchases,
            "frequency": frequency,
            "tenure_days": tenure,
            "recency_days": span,
            "days_since_last": since_last,
            "monetary_total": total,
            "monetary_mean": total / purchases,
            "first_value": groups["amount"].first(),
            "last_value": groups["amount"].last(),
            "ipt_mean": ipt_mean,
            "ipt_std": ipt_std.reindex(first.index),
            "overdue_ratio": since_last / ipt_mean,
            "rate_per_30d": purchases / np.maximum(tenure, 1.0) * 30.0,
        }
    )
    age = (cutoff - past["day"]).dt.days
    for window in RECENT_WINDOWS_DAYS:
        recent = past["customer_id"][age <= window]
        frame[f"purchases_last_{window}d"] = (
            recent.value_counts().reindex(frame.index, fill_value=0).astype("float64")
        )
    spend_90 = past["amount"][age <= 90].groupby(past["customer_id"][age <= 90]).sum()
    frame["spend_last_90d"] = spend_90.reindex(frame.index, fill_value=0.0)
    frame.index.name = "customer_id"
    return frame[list(FEATURE_COLUMNS)]


def holdout_targets(
    days: pd.DataFrame, customers: pd.Index, cutoff: pd.Timestamp, horizon_days: int
) -> pd.DataFrame:
    """Purchase days and spend of ``customers`` in ``[cutoff, cutoff + horizon_days)``."""
    end = cutoff + pd.Timedelta(days=horizon_days)
    window = days[(days["day"] >= cutoff) & (days["day"] < end)]
    groups = window.groupby("customer_id")
    return pd.DataFrame(
        {
            "purchases": groups.size().reindex(customers, fill_value=0).astype("float64"),
            "spend": groups["amount"].sum().reindex(customers, fill_value=0.0),
        },
        index=customers,
    )


@dataclass(frozen=True)
class Window:
    """Features at ``cutoff`` and what each customer did over the following ``horizon_days``."""

    cutoff: pd.Timestamp
    horizon_days: int
    features: pd.DataFrame
    targets: pd.DataFrame


def window_plan(
    first_day: pd.Timestamp,
    end: pd.Timestamp,
    horizon_days: int,
    *,
    step_days: int = 30,
    min_history_days: int = 90,
    max_windows: int | None = None,
) -> list[tuple[pd.Timestamp, int]]:
    """Training cutoffs every ``step_days`` back from ``end``, newest first, each with the
    horizon ``min(horizon_days, days left before end)``: the label windows end by ``end``.

    Recent cutoffs describe customers of nearly the age the model is applied to, but only
    with a short horizon; older ones have the full horizon but younger customers. Training on
    both, with targets relative to a horizon-aware BG/NBD expectation, lets the model use
    both. Cutoffs keep ``min_history_days`` of history after ``first_day`` (BG/NBD fitted on
    a few weeks of a young shop is unstable).
    """
    plan: list[tuple[pd.Timestamp, int]] = []
    cutoff = end - pd.Timedelta(days=step_days)
    while cutoff >= first_day + pd.Timedelta(days=min_history_days):
        if max_windows is not None and len(plan) == max_windows:
            break
        plan.append((cutoff, min(horizon_days, int((end - cutoff).days))))
        cutoff -= pd.Timedelta(days=step_days)
    return plan


def training_windows(days: pd.DataFrame, plan: Sequence[tuple[pd.Timestamp, int]]) -> list[Window]:
    """One labelled window per ``(cutoff, horizon_days)``: customers active before the cutoff."""
    windows = []
    for cutoff, horizon in plan:
        x = features_at(days, cutoff)
        windows.append(Window(cutoff, horizon, x, holdout_targets(days, x.index, cutoff, horizon)))
    return windows
