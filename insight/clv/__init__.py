"""Churn risk and customer lifetime value from a transaction log.

``features`` turns a log into per-customer RFM and inter-purchase features at a cutoff and
into labelled training windows; ``bgnbd`` wraps the published BG/NBD + Gamma-Gamma baseline
of ``lifetimes``; ``model`` is ShopSense's gradient boosting that corrects a BG/NBD anchor;
``cdnow`` compares both on the CDNOW transactions.
"""

from insight.clv.features import (
    TRANSACTION_COLUMNS,
    Window,
    features_at,
    holdout_targets,
    training_windows,
    window_plan,
)
from insight.clv.model import ChurnValueModel
from insight.clv.prediction import ChurnValuePrediction

__all__ = [
    "TRANSACTION_COLUMNS",
    "ChurnValueModel",
    "ChurnValuePrediction",
    "Window",
    "features_at",
    "holdout_targets",
    "training_windows",
    "window_plan",
]
