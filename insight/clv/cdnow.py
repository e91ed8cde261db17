"""ShopSense's churn/value model against BG/NBD on the CDNOW transactions ``lifetimes`` ships.

CDNOW: 69,659 transactions of 23,570 customers who first bought in Q1 1997, up to June 1998.
Split: calibration until 31 Dec 1997 (52 weeks), holdout 1 Jan – 30 Jun 1998 (181 days).

Protocol. Everything either model is fitted on comes from the calibration period. BG/NBD +
Gamma-Gamma are fitted on the calibration period as usual. ShopSense (:mod:`insight.clv.model`)
trains on windows that end by 31 Dec 1997 (monthly cutoffs back from it, horizon
``min(181 days, what is left of 1997)``, see ``window_plan``), each anchored by a BG/NBD pair
fitted on that window's own history, and predicts with a pair fitted on all of 1997. The
design (BG/NBD anchor with a ratio target, no horizon feature, windows from 90 days after
the first purchase, the boosting settings) was chosen on two inner splits that lie wholly
inside 1997, ``INNER_SPLITS``: calibration to 1 July with a 181-day holdout, and to 1 October
with a 91-day holdout. Their scores are reported with the main split (``inner_splits``); the
1998 holdout was used for nothing but the final scores.

Metrics over all customers of the calibration period, on the holdout:
``mae_repeat_purchases`` (purchase days), ``churn_auc`` (churn = no purchase in the holdout),
``clv_mae`` (holdout spend in dollars), plus RMSE and the errors of the totals.

Per-customer MAE rewards predicting too little: most customers buy nothing in the holdout, so
the median is 0 and the all-zero forecast scores a lower MAE than either model. Both models
predict expected values (what CLV needs), so read MAE together with the all-zero reference,
RMSE and the errors of the totals: a lower MAE bought with a lower total is no better forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from insight.clv.bgnbd import BgNbdBaseline
from insight.clv.features import (
    features_at,
    holdout_targets,
    purchase_days,
    training_windows,
    window_plan,
)
from insight.clv.model import ChurnValueModel
from insight.clv.prediction import ChurnValuePrediction
from insight.datasets import package_data_path

CALIBRATION_END = pd.Timestamp("1998-01-01")  # exclusive: calibration is all of 1997
HOLDOUT_DAYS = 181  # 1 Jan – 30 Jun 1998
INNER_SPLITS = ((pd.Timestamp("1997-07-01"), 181), (pd.Timestamp("1997-10-01"), 91))


def load_cdnow() -> pd.DataFrame:
    """CDNOW_master as a transaction log (``customer_id``, ``at``, ``amount``)."""
    path = package_data_path("lifetimes", "datasets", "CDNOW_master.txt")
    raw = pd.read_csv(
        path,
        sep=r"\s+",
        header=0,
        names=["customer_id", "date", "cds", "amount"],
        dtype={"customer_id": "int64", "date": "str", "cds": "int64", "amount": "float64"},
    )
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "at": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "amount": raw["amount"],
        }
    )


@dataclass(frozen=True)
class ClvScores:
    mae_repeat_purchases: float
    rmse_repeat_purchases: float
    total_purchases_error_pct: float
    churn_auc: float
    clv_mae: float
    total_spend_error_pct: float

    def as_dict(self) -> dict[str, float]:
        return {name: round(float(value), 4) for name, value in vars(self).items()}


def score(prediction: ChurnValuePrediction, actual: pd.DataFrame) -> ClvScores:
    purchases = actual["purchases"].to_numpy()
    spend = actual["spend"].to_numpy()
    error = prediction.expected_purchases - purchases
    spend_error = prediction.expected_spend - spend
    return ClvScores(
        mae_repeat_purchases=float(np.mean(np.abs(error))),
        rmse_repeat_purchases=float(np.sqrt(np.mean(error**2))),
        total_purchases_error_pct=float(100 * error.sum() / purchases.sum()),
        churn_auc=float(roc_auc_score(purchases == 0, prediction.churn_probability)),
        clv_mae=float(np.mean(np.abs(spend_error))),
        total_spend_error_pct=float(100 * spend_error.sum() / spend.sum()),
    )


@dataclass(frozen=True)
class SplitComparison:
    """Both models' scores on one calibration/holdout split."""

    calibration_end: pd.Timestamp
    holdout_days: int
    customers: int
    training_windows: int
    shopsense: ClvScores
    bgnbd: ClvScores
    zero_mae_repeat_purchases: float
    zero_clv_mae: float

    def as_dict(self) -> dict[str, object]:
        return {
            "calibration_end": str(self.calibration_end.date()),
            "holdout_days": self.holdout_days,
            "customers": self.customers,
            "training_windows": self.training_windows,
            "shopsense": self.shopsense.as_dict(),
            "bgnbd": self.bgnbd.as_dict(),
            "all_zero_reference": {
                "mae_repeat_purchases": round(self.zero_mae_repeat_purchases, 4),
                "clv_mae": round(self.zero_clv_mae, 4),
            },
        }


def compare_split(days: pd.DataFrame, end: pd.Timestamp, horizon_days: int) -> SplitComparison:
    """Fit both models on purchase days before ``end``; score them on the next ``horizon_days``.

    The models only ever receive ``history``, so nothing from the holdout reaches a fit.
    """
    history = days[days["day"] < end]
    x = features_at(history, end)
    actual = holdout_targets(days, x.index, end, horizon_days)
    windows = training_windows(history, window_plan(history["day"].min(), end, horizon_days))
    shopsense = ChurnValueModel(horizon_days=horizon_days).fit(windows, current=x)
    baseline = BgNbdBaseline(horizon_days=horizon_days).fit(x)
    return SplitComparison(
        calibration_end=end,
        holdout_days=horizon_days,
        customers=len(x),
        training_windows=shopsense.windows_used_,
        shopsense=score(shopsense.predict(x), actual),
        bgnbd=score(baseline.predict(x), actual),
        zero_mae_repeat_purchases=float(actual["purchases"].mean()),
        zero_clv_mae=float(actual["spend"].mean()),
    )


@dataclass(frozen=True)
class CdnowComparison(SplitComparison):
    """The main split, with the inner splits the design was chosen on."""

    inner: tuple[SplitComparison, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "dataset": "CDNOW (lifetimes)",
            **super().as_dict(),
            "protocol": (
                "all fitting on calibration data; design chosen on inner_splits, which lie "
                "inside the calibration period; the holdout only scores"
            ),
            "inner_splits": [split.as_dict() for split in self.inner],
        }


def compare_on_cdnow(transactions: pd.DataFrame | None = None, threads: int = 1) -> CdnowComparison:
    """Both models on the main split and on the inner splits inside the calibration period."""
    days = purchase_days(load_cdnow() if transactions is None else transactions)
    with threadpool_limits(limits=threads):
        inner = tuple(compare_split(days, end, horizon) for end, horizon in INNER_SPLITS)
        main = compare_split(days, CALIBRATION_END, HOLDOUT_DAYS)
    return CdnowComparison(**vars(main), inner=inner)
