"""Churn risk and 12-month value for the shop's customers (the CDNOW-tested model).

The shop's non-cancelled orders form the transaction log. The model (BG/NBD-anchored
boosting, :mod:`insight.clv.model`) trains on monthly windows whose labels end by ``as_of``,
laid out as on CDNOW (``window_plan``, at most ``MAX_WINDOWS``). Its horizon is 365 days when
the shop has the history for it; a younger shop uses half its history (at least
``MIN_HORIZON_DAYS``) and scales expected orders and spend linearly to twelve months. Churn
risk is the probability of no order within the model's horizon.

A shop too small or too young to train on (fewer than ``MIN_TRAINING_ROWS`` labelled rows, no
one in one of the two classes, or a population BG/NBD cannot be fitted on) falls back to
``RecencyRule``, a documented heuristic. A large shop trains on a seeded sample of customers
such that the windows hold at most ``MAX_TRAINING_ROWS`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from insight.clv.bgnbd import BgNbdFitError
from insight.clv.features import (
    Window,
    features_at,
    purchase_days,
    training_windows,
    window_plan,
)
from insight.clv.model import ChurnValueModel
from insight.clv.prediction import ChurnValuePrediction
from insight.profiles.frames import CANCELLED

YEAR_DAYS = 365
MIN_HORIZON_DAYS = 30
MIN_TRAINING_ROWS = 200
MAX_TRAINING_ROWS = 300_000  # a seeded sample beyond this: accuracy has long saturated
MAX_WINDOWS = 12  # a year of monthly cutoffs
DEFAULT_GAP_DAYS = 90.0


def transactions(orders: pd.DataFrame) -> pd.DataFrame:
    kept = orders[orders["status"] != CANCELLED]
    return pd.DataFrame(
        {"customer_id": kept["customer_id"], "at": kept["placed_at"], "amount": kept["total"]}
    )


class RecencyRule:
    """Fallback for shops with too little history: churn risk 1 − exp(−days since last order ÷
    (2 × typical gap)); expected orders per horizon = (1 − risk) × horizon ÷ typical gap;
    spend = expected orders × the customer's mean order value. The typical gap is the median
    inter-purchase time of repeat buyers (``DEFAULT_GAP_DAYS`` when nobody bought twice)."""

    def fit(self, x: pd.DataFrame, horizon_days: int) -> RecencyRule:
        gaps = x["ipt_mean"].dropna()
        self.gap_days_ = float(gaps.median()) if len(gaps) else DEFAULT_GAP_DAYS
        self.horizon_days_ = horizon_days
        return self

    def predict(self, x: pd.DataFrame) -> ChurnValuePrediction:
        risk = 1.0 - np.exp(-x["days_since_last"].to_numpy(dtype=np.float64) / (2 * self.gap_days_))
        orders = (1.0 - risk) * self.horizon_days_ / self.gap_days_
        return ChurnValuePrediction(
            expected_purchases=orders,
            churn_probability=risk,
            expected_spend=orders * x["monetary_mean"].to_numpy(dtype=np.float64),
        )


@dataclass
class ValueModel:
    """The fitted model and its horizon; ``predict`` scales to twelve months."""

    model: ChurnValueModel | RecencyRule
    horizon_days: int

    def predict(self, orders: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
        """Index customer_id (customers with orders): churn_risk, expected_orders_12m,
        predicted_value_12m. ``as_of`` is inclusive, so the cutoff is the next instant."""
        log = transactions(orders[orders["placed_at"] <= as_of])
        if log.empty:
            return pd.DataFrame(
                columns=["churn_risk", "expected_orders_12m", "predicted_value_12m"],
                dtype=np.float64,
            )
        x = features_at(purchase_days(log), _cutoff(as_of))
        prediction = self.model.predict(x)
        scale = YEAR_DAYS / self.horizon_days
        return pd.DataFrame(
            {
                "churn_risk": prediction.churn_probability,
                "expected_orders_12m": prediction.expected_purchases * scale,
                "predicted_value_12m": prediction.expected_spend * scale,
            },
            index=x.index,
        )


def _cutoff(as_of: pd.Timestamp) -> pd.Timestamp:
    return as_of.floor("D") + pd.Timedelta(days=1)


def _training_days(days: pd.DataFrame, windows: int, random_state: int) -> pd.DataFrame:
    """All purchase days, or those of a seeded sample of customers when the windows would
    stack more than ``MAX_TRAINING_ROWS`` rows."""
    customers = days["customer_id"].unique()
    limit = MAX_TRAINING_ROWS // max(windows, 1)
    if len(customers) <= limit:
        return days
    sample = np.random.default_rng(random_state).choice(customers, limit, replace=False)
    return days[days["customer_id"].isin(sample)]


def _boosting(
    windows: list[Window], current: pd.DataFrame, horizon: int, random_state: int
) -> ChurnValueModel | None:
    """The trained model, or ``None`` where BG/NBD cannot be fitted on this shop's customers."""
    try:
        return ChurnValueModel(horizon_days=horizon, random_state=random_state).fit(
            windows, current=current
        )
    except BgNbdFitError:
        return None


def fit_value_model(orders: pd.DataFrame, as_of: pd.Timestamp, random_state: int = 0) -> ValueModel:
    log = transactions(orders[orders["placed_at"] <= as_of])
    days = purchase_days(log)
    end = _cutoff(as_of)
    first = days["day"].min() if len(days) else end
    horizon = max(MIN_HORIZON_DAYS, min(YEAR_DAYS, int((end - first).days) // 2))
    plan = window_plan(first, end, horizon, max_windows=MAX_WINDOWS)
    train_days = _training_days(days, len(plan), random_state)
    windows = training_windows(train_days, plan)
    targets = [window.targets["purchases"] for window in windows]
    churned = pd.concat(targets) == 0 if targets else pd.Series(dtype=bool)
    if len(churned) >= MIN_TRAINING_ROWS and 0 < churned.sum() < len(churned):
        model = _boosting(windows, features_at(train_days, end), horizon, random_state)
        if model is not None:
            return ValueModel(model=model, horizon_days=horizon)
    current = features_at(days, end) if len(days) else pd.DataFrame({"ipt_mean": []})
    return ValueModel(model=RecencyRule().fit(current, horizon), horizon_days=horizon)
