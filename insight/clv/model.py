"""ShopSense's churn and value model: gradient boosting that corrects a BG/NBD anchor.

Plain boosting on RFM features, trained on earlier cutoffs, has to extrapolate from younger
customers over shorter or equally long horizons, and trees cannot extrapolate the decay of a
cohort's buying. So every labelled window gets its own BG/NBD + Gamma-Gamma pair, fitted on
that window's history only (``fit_anchor``); the pair supplies a horizon-aware expectation
and the boosting learns what BG/NBD misses as a multiplicative correction (Poisson loss on
``actual / anchor`` weighted by the anchor: Poisson regression with the anchor as offset).
Features are the RFM and inter-purchase features plus the anchor's expectation, probability
alive and spend per purchase; the horizon itself is deliberately not one (it would let the
trees tell old long windows from recent short ones and apply the old windows' correction).

Three heads share the table: expected purchase days (× anchor), expected spend (× anchor's
spend) and the probability of no purchase at all (churn, a classifier). At prediction the
anchor is a pair fitted on the population at the prediction cutoff (``current`` in ``fit``);
its parameters are stored, so one customer can be scored alone with the same result as in a
batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from insight.clv.bgnbd import BgNbdBaseline, BgNbdFitError, fit_anchor
from insight.clv.features import FEATURE_COLUMNS, Window
from insight.clv.prediction import ChurnValuePrediction

FloatArray = npt.NDArray[np.float64]
_FLOOR = 1e-6  # anchors are positive; this only guards the division


def anchored(x: pd.DataFrame, anchor: BgNbdBaseline) -> pd.DataFrame:
    """``x``'s features with the anchor's columns appended."""
    return x[list(FEATURE_COLUMNS)].join(anchor.describe(x))


class ChurnValueModel(BaseEstimator):  # type: ignore[misc]
    """Expected purchases, churn probability and expected spend over ``horizon_days``."""

    def __init__(
        self,
        *,
        horizon_days: int,
        max_iter: int = 200,
        learning_rate: float = 0.05,
        max_leaf_nodes: int = 15,
        min_samples_leaf: int = 50,
        l2_regularization: float = 1.0,
        random_state: int = 0,
    ) -> None:
        self.horizon_days = horizon_days
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.random_state = random_state

    def _params(self) -> dict[str, float | int]:
        return {
            "max_iter": self.max_iter,
            "learning_rate": self.learning_rate,
            "max_leaf_nodes": self.max_leaf_nodes,
            "min_samples_leaf": self.min_samples_leaf,
            "l2_regularization": self.l2_regularization,
            "random_state": self.random_state,
        }

    def fit(self, windows: Sequence[Window], current: pd.DataFrame) -> ChurnValueModel:
        """Train on labelled ``windows``; ``current`` (features at the cutoff the model will be
        applied at) fits the prediction anchor. A window BG/NBD cannot be fitted on is skipped;
        raises ``BgNbdFitError`` when none is left or the prediction anchor fails (see
        ``fit_anchor``)."""
        tables, targets = [], []
        for window in windows:
            try:
                anchor = fit_anchor(window.features, window.horizon_days)
            except BgNbdFitError:
                continue
            tables.append(anchored(window.features, anchor))
            targets.append(window.targets)
        if not tables:
            raise BgNbdFitError("BG/NBD could not be fitted on any training window")
        x = pd.concat(tables, ignore_index=True)
        y = pd.concat(targets, ignore_index=True)
        churned = (y["purchases"].to_numpy() == 0).astype(np.int64)
        if np.unique(churned).size < 2:
            raise ValueError("training needs customers who bought again and customers who did not")
        self.anchor_ = fit_anchor(current, self.horizon_days)
        self.windows_used_ = len(tables)
        self.feature_names_ = list(x.columns)
        base = np.maximum(x["bg_expected"].to_numpy(), _FLOOR)
        spend_base = np.maximum(base * x["bg_spend_per_purchase"].to_numpy(), _FLOOR)
        self.purchases_model_ = HistGradientBoostingRegressor(loss="poisson", **self._params())
        self.purchases_model_.fit(x, y["purchases"].to_numpy() / base, sample_weight=base)
        self.spend_model_ = HistGradientBoostingRegressor(loss="poisson", **self._params())
        self.spend_model_.fit(x, y["spend"].to_numpy() / spend_base, sample_weight=spend_base)
        self.churn_model_ = HistGradientBoostingClassifier(**self._params())
        self.churn_model_.fit(x, churned)
        return self

    def predict(self, x: pd.DataFrame) -> ChurnValuePrediction:
        table = anchored(x, self.anchor_)[self.feature_names_]
        base = np.maximum(table["bg_expected"].to_numpy(), _FLOOR)
        spend_base = np.maximum(base * table["bg_spend_per_purchase"].to_numpy(), _FLOOR)
        churn_column = list(self.churn_model_.classes_).index(1)
        return ChurnValuePrediction(
            expected_purchases=base * np.asarray(self.purchases_model_.predict(table), np.float64),
            churn_probability=np.asarray(
                self.churn_model_.predict_proba(table)[:, churn_column], dtype=np.float64
            ),
            expected_spend=spend_base * np.asarray(self.spend_model_.predict(table), np.float64),
        )
