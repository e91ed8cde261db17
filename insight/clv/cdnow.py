"""ShopSense's churn/value model against BG/NBD on the CDNOW transactions ``lifetimes`` ships.

CDNOW: 69,659 transactions of 23,570 customers who first bought in Q1 1997, up to June 1998.
Split: calibration until 31 Dec 1997 (52 weeks), holdout 1 Jan – 30 Jun 1998 (181 days).
BG/NBD + Gamma-Gamma are fitted on the calibration period as usual. ShopSense's gradient
boosting needs labelled examples, so it is trained on four earlier cutoffs (April–July 1997)
whose 181-day label window ends inside the calibration period: nothing after 31 Dec 1997 is
seen in training. (The classic 39/39-week split leaves no room for such a training window.)

Metrics over all customers of the calibration period, on the holdout:
``mae_repeat_purchases`` (purchase days), ``churn_auc`` (churn = no purchase in the holdout),
``clv_mae`` (holdout spend in dollars), plus RMSE and the error of the total purchase count.

Per-customer MAE rewards predicting too little: most customers buy nothing in the holdout, so
the median is 0 and the all-zero forecast scores a lower MAE than either model. Both models
predict expected values (what CLV needs), so the comparison also reports the all-zero
reference, RMSE and the error of the total.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from insight.clv.bgnbd import BgNbdBaseline
from insight.clv.features import features_at, holdout_targets, purchase_days, training_set
from insight.clv.model import ChurnValueModel, ChurnValuePrediction
from insight.datasets import package_data_path

CALIBRATION_END = pd.Timestamp("1998-01-01")  # exclusive: calibration is all of 1997
HOLDOUT_DAYS = 181  # 1 Jan – 30 Jun 1998
TRAINING_CUTOFFS = tuple(
    pd.Timestamp(d) for d in ("1997-04-01", "1997-05-01", "1997-06-01", "1997-07-01")
)


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

    def as_dict(self) -> dict[str, float]:
        return {name: round(float(value), 4) for name, value in vars(self).items()}


def score(prediction: ChurnValuePrediction, actual: pd.DataFrame) -> ClvScores:
    purchases = actual["purchases"].to_numpy()
    error = prediction.expected_purchases - purchases
    return ClvScores(
        mae_repeat_purchases=float(np.mean(np.abs(error))),
        rmse_repeat_purchases=float(np.sqrt(np.mean(error**2))),
        total_purchases_error_pct=float(100 * error.sum() / purchases.sum()),
        churn_auc=float(roc_auc_score(purchases == 0, prediction.churn_probability)),
        clv_mae=float(np.mean(np.abs(prediction.expected_spend - actual["spend"].to_numpy()))),
    )


@dataclass(frozen=True)
class CdnowComparison:
    customers: int
    holdout_days: int
    shopsense: ClvScores
    bgnbd: ClvScores
    zero_mae_repeat_purchases: float
    zero_clv_mae: float

    def as_dict(self) -> dict[str, object]:
        return {
            "dataset": "CDNOW (lifetimes)",
            "customers": self.customers,
            "calibration_end": str(CALIBRATION_END.date()),
            "holdout_days": self.holdout_days,
            "shopsense": self.shopsense.as_dict(),
            "bgnbd": self.bgnbd.as_dict(),
            "all_zero_reference": {
                "mae_repeat_purchases": round(self.zero_mae_repeat_purchases, 4),
                "clv_mae": round(self.zero_clv_mae, 4),
            },
        }


def compare_on_cdnow(transactions: pd.DataFrame | None = None, threads: int = 1) -> CdnowComparison:
    """Fit both models on the calibration period and score them on the holdout."""
    days = purchase_days(load_cdnow() if transactions is None else transactions)
    x = features_at(days, CALIBRATION_END)
    actual = holdout_targets(days, x.index, CALIBRATION_END, HOLDOUT_DAYS)
    with threadpool_limits(limits=threads):
        train_x, train_y = training_set(days, TRAINING_CUTOFFS, HOLDOUT_DAYS)
        shopsense = ChurnValueModel().fit(
            train_x, train_y["purchases"].to_numpy(), train_y["spend"].to_numpy()
        )
        baseline = BgNbdBaseline(horizon_days=HOLDOUT_DAYS).fit(x)
        ours, theirs = shopsense.predict(x), baseline.predict(x)
    return CdnowComparison(
        customers=len(x),
        holdout_days=HOLDOUT_DAYS,
        shopsense=score(ours, actual),
        bgnbd=score(theirs, actual),
        zero_mae_repeat_purchases=float(actual["purchases"].mean()),
        zero_clv_mae=float(actual["spend"].mean()),
    )
