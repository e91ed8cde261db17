"""ShopSense's churn and value model: gradient boosting on RFM and inter-purchase features.

Three ``HistGradientBoosting`` models share one feature table (:mod:`insight.clv.features`):
expected purchase days and expected spend over the horizon (Poisson loss, so predictions are
means, as CLV needs) and the probability of no purchase at all (churn). They are trained on
earlier cutoffs whose horizon is complete, then applied at the evaluation cutoff.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ChurnValuePrediction:
    """Per-customer predictions over the model's horizon, aligned with the input rows."""

    expected_purchases: FloatArray
    churn_probability: FloatArray
    expected_spend: FloatArray


class ChurnValueModel(BaseEstimator):  # type: ignore[misc]
    """Expected purchases, churn probability and expected spend over a fixed horizon."""

    def __init__(
        self,
        *,
        max_iter: int = 200,
        learning_rate: float = 0.05,
        max_leaf_nodes: int = 15,
        min_samples_leaf: int = 50,
        l2_regularization: float = 1.0,
        random_state: int = 0,
    ) -> None:
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

    def fit(self, x: pd.DataFrame, purchases: FloatArray, spend: FloatArray) -> ChurnValueModel:
        """``purchases`` and ``spend`` are what each row's customer did over the horizon."""
        churned = (np.asarray(purchases) == 0).astype(np.int64)
        if np.unique(churned).size < 2:
            raise ValueError("training needs customers who bought again and customers who did not")
        self.feature_names_ = list(x.columns)
        self.purchases_model_ = HistGradientBoostingRegressor(loss="poisson", **self._params())
        self.purchases_model_.fit(x, purchases)
        self.churn_model_ = HistGradientBoostingClassifier(**self._params())
        self.churn_model_.fit(x, churned)
        self.spend_model_ = HistGradientBoostingRegressor(loss="poisson", **self._params())
        self.spend_model_.fit(x, spend)
        return self

    def predict(self, x: pd.DataFrame) -> ChurnValuePrediction:
        x = x[self.feature_names_]
        churn_column = list(self.churn_model_.classes_).index(1)
        return ChurnValuePrediction(
            expected_purchases=np.asarray(self.purchases_model_.predict(x), dtype=np.float64),
            churn_probability=np.asarray(
                self.churn_model_.predict_proba(x)[:, churn_column], dtype=np.float64
            ),
            expected_spend=np.asarray(self.spend_model_.predict(x), dtype=np.float64),
        )
