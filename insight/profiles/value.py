"""Churn risk and 12-month value for the shop's customers (the CDNOW-tested model).

The shop's non-cancelled orders form the transaction log. The model is trained on earlier
cutoffs whose label window ends by ``as_of``. Its horizon is 365 days when the shop has the
history for it; a younger shop trains on half its history (at least ``MIN_HORIZON_DAYS``) and
scales expected orders and spend linearly to twelve months. Churn risk is the probability of
no order within the model's horizon.

A shop too small or too young to train on (fewer than ``MIN_TRAINING_ROWS`` labelled rows or
no one in one of the two classes) falls back to ``RecencyRule``, a documented heuristic. A
large shop trains on a seeded sample of ``MAX_TRAINING_ROWS`` labelled rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from insight.clv.features import features_at, purchase_days, training_set
from insight.clv.model import ChurnValueModel, ChurnValuePrediction
from insight.profiles.frames import CANCELLED

YEAR_DAYS = 365
MIN_HORIZON_DAYS = 30
MIN_TRAINING_ROWS = 200
MAX_TRAINING_ROWS = 300_000  # a seeded sample beyond this: accuracy has long saturated
TRAINING_CUTOFFS = 4
CUTOFF_STEP_DAYS = 30
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


def fit_value_model(orders: pd.DataFrame, as_of: pd.Timestamp, random_state: int = 0) -> ValueModel:
    log = transactions(orders[orders["placed_at"] <= as_of])
    days = purchase_days(log)
    end = _cutoff(as_of)
    span = int((end - days["day"].min()).days) if len(days) else 0
    horizon = max(MIN_HORIZON_DAYS, min(YEAR_DAYS, span // 2))
    latest = end - pd.Timedelta(days=horizon)
    cutoffs = [
        latest - pd.Timedelta(days=CUTOFF_STEP_DAYS * step)
        for step in range(TRAINING_CUTOFFS)
        if len(days) and latest - pd.Timedelta(days=CUTOFF_STEP_DAYS * step) > days["day"].min()
    ]
    x, y = training_set(days, cutoffs, horizon) if cutoffs else (pd.DataFrame(), pd.DataFrame())
    churned = (y["purchases"] == 0) if len(y) else pd.Series(dtype=bool)
    if len(x) >= MIN_TRAINING_ROWS and 0 < churned.sum() < len(churned):
        if len(x) > MAX_TRAINING_ROWS:
            rng = np.random.default_rng(random_state)
            keep = np.sort(rng.choice(len(x), MAX_TRAINING_ROWS, replace=False))
            x, y = x.iloc[keep], y.iloc[keep]
        model = ChurnValueModel(random_state=random_state).fit(
            x, y["purchases"].to_numpy(), y["spend"].to_numpy()
        )
        return ValueModel(model=model, horizon_days=horizon)
    current = features_at(days, end) if len(days) else pd.DataFrame({"ipt_mean": []})
    return ValueModel(model=RecencyRule().fit(current, horizon), horizon_days=horizon)
