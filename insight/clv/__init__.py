"""Churn risk and customer lifetime value from a transaction log.

``features`` turns a log into per-customer RFM and inter-purchase features at a cutoff;
``model`` is ShopSense's gradient-boosting model trained on earlier cutoffs; ``bgnbd`` wraps
the published BG/NBD + Gamma-Gamma baseline of ``lifetimes``; ``cdnow`` compares both on the
CDNOW transactions.
"""

from insight.clv.features import TRANSACTION_COLUMNS, features_at, holdout_targets, training_set
from insight.clv.model import ChurnValueModel, ChurnValuePrediction

__all__ = [
    "TRANSACTION_COLUMNS",
    "ChurnValueModel",
    "ChurnValuePrediction",
    "features_at",
    "holdout_targets",
    "training_set",
]
