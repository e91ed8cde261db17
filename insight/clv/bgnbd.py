"""The published baseline: BG/NBD for repeat purchases and Gamma-Gamma for spend (``lifetimes``).

``lifetimes`` 0.11.3 predates pandas 3 and numpy 2. Its fitters work when they are given plain
numpy arrays (the frame-handling helpers and ``lifetimes.datasets``, which needs the removed
``pkg_resources``, are not used), so this wrapper is the whole compatibility layer: it passes
arrays in, gets arrays out, and works in weeks as the literature does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from sklearn.base import BaseEstimator

from insight.clv.model import ChurnValuePrediction

_DAYS_PER_WEEK = 7.0


def _bgnbd_inputs(x: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    frequency = x["frequency"].to_numpy(dtype=np.float64)
    recency = x["recency_days"].to_numpy(dtype=np.float64) / _DAYS_PER_WEEK
    tenure = x["tenure_days"].to_numpy(dtype=np.float64) / _DAYS_PER_WEEK
    return frequency, recency, tenure


def repeat_spend_mean(x: pd.DataFrame) -> np.ndarray:
    """Mean value of the repeat purchases (the first is excluded, as Gamma-Gamma expects)."""
    frequency = x["frequency"].to_numpy(dtype=np.float64)
    repeat_total = (x["monetary_total"] - x["first_value"]).to_numpy(dtype=np.float64)
    mean: np.ndarray = np.divide(
        repeat_total, frequency, out=np.zeros_like(repeat_total), where=frequency > 0
    )
    return mean


class BgNbdBaseline(BaseEstimator):  # type: ignore[misc]
    """BG/NBD + Gamma-Gamma fitted on the calibration period's features at the cutoff."""

    def __init__(self, horizon_days: int, penalizer_coef: float = 0.0) -> None:
        self.horizon_days = horizon_days
        self.penalizer_coef = penalizer_coef

    def fit(self, x: pd.DataFrame) -> BgNbdBaseline:
        frequency, recency, tenure = _bgnbd_inputs(x)
        self.bgf_ = BetaGeoFitter(penalizer_coef=self.penalizer_coef)
        self.bgf_.fit(frequency, recency, tenure)
        spend = repeat_spend_mean(x)
        repeaters = (frequency > 0) & (spend > 0)  # Gamma-Gamma rejects zero-value purchases
        self.ggf_ = GammaGammaFitter(penalizer_coef=self.penalizer_coef)
        self.ggf_.fit(frequency[repeaters], spend[repeaters])
        return self

    def predict(self, x: pd.DataFrame) -> ChurnValuePrediction:
        """Churn is scored as the chance of no purchase implied by the expected count.

        BG/NBD's own "probability alive" is 1 for every one-time buyer, which makes it a weak
        ranking of who buys again; ``exp(-E[purchases])`` ranks by the expected count instead,
        the stronger of the two (checked on CDNOW), so the baseline is given its best showing.
        """
        frequency, recency, tenure = _bgnbd_inputs(x)
        weeks = self.horizon_days / _DAYS_PER_WEEK
        expected = np.asarray(
            self.bgf_.conditional_expected_number_of_purchases_up_to_time(
                weeks, frequency, recency, tenure
            ),
            dtype=np.float64,
        )
        spend_per_purchase = np.asarray(
            self.ggf_.conditional_expected_average_profit(frequency, repeat_spend_mean(x)),
            dtype=np.float64,
        )
        return ChurnValuePrediction(
            expected_purchases=expected,
            churn_probability=np.exp(-expected),
            expected_spend=expected * spend_per_purchase,
        )
