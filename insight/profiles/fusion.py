"""Fusing behaviour, sentiment and topics into one profile vector.

P = α·h_behaviour ⊕ β·h_sentiment ⊕ γ·h_topics: each block lives in its own coordinates of the
joint space (so "+" of the block-embedded vectors is their concatenation). Each block is
divided by the square root of its width, so that α, β and γ — not the number of columns — set
how much a block counts in distances (segments) and similarity.

- h_behaviour: z-scores of log recency (never-ordered: recency = tenure), log frequency,
  log monetary, log average order value, log tenure, price level (average unit price ÷ the
  catalogue median), log views per order, return rate, log days since contact, then the
  customer's spend share in each of the catalogue's largest categories. Missing values take
  the population mean (z = 0).
- h_sentiment: recency-weighted polarity, (mean rating − 3) ÷ 2, has-reviews flag.
- h_topics: the recency-weighted topic mix of the customer's reviews (zeros without reviews).

Means, scales and the category list are learned in ``fit`` and stay fixed until the next full
rebuild, so an incremental refresh produces exactly the vector a full rebuild would.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator

FloatArray = npt.NDArray[np.float64]

BEHAVIOUR_COLUMNS = (
    "log_recency",
    "log_frequency",
    "log_monetary",
    "log_aov",
    "log_tenure",
    "price_level",
    "log_views_per_order",
    "return_rate",
    "log_days_since_contact",
)
SENTIMENT_COLUMNS = ("sentiment", "rating_level", "has_reviews")


def behaviour_matrix(features: pd.DataFrame, median_price: float) -> pd.DataFrame:
    """The numeric behaviour columns before scaling (NaN where undefined)."""
    recency = features["recency_days"].fillna(features["tenure_days"])
    return pd.DataFrame(
        {
            "log_recency": np.log1p(recency.clip(lower=0)),
            "log_frequency": np.log1p(features["frequency"]),
            "log_monetary": np.log1p(features["monetary"].clip(lower=0)),
            "log_aov": np.log1p(features["avg_order_value"].clip(lower=0)),
            "log_tenure": np.log1p(features["tenure_days"].clip(lower=0)),
            "price_level": features["avg_unit_price"] / median_price if median_price > 0 else 0.0,
            "log_views_per_order": np.log1p(features["views_per_order"]),
            "return_rate": features["return_rate"],
            "log_days_since_contact": np.log1p(features["days_since_contact"].clip(lower=0)),
        },
        index=features.index,
    ).astype(np.float64)


def sentiment_matrix(sentiment: pd.DataFrame) -> pd.DataFrame:
    """``sentiment`` has columns sentiment, mean_rating, review_count (NaN/0 without reviews)."""
    return pd.DataFrame(
        {
            "sentiment": sentiment["sentiment"].fillna(0.0),
            "rating_level": ((sentiment["mean_rating"] - 3.0) / 2.0).fillna(0.0),
            "has_reviews": (sentiment["review_count"] > 0).astype(np.float64),
        },
        index=sentiment.index,
    )


def category_matrix(
    shares: pd.DataFrame, customers: pd.Index, categories: list[str]
) -> pd.DataFrame:
    """Wide spend shares (``customer_id, category, share`` long frame) over ``categories``."""
    kept = shares[shares["category"].isin(categories)]
    wide = kept.pivot_table(index="customer_id", columns="category", values="share", aggfunc="sum")
    return wide.reindex(index=customers, columns=categories).fillna(0.0).astype(np.float64)


class ProfileFuser(BaseEstimator):  # type: ignore[misc]
    """Learns scaling from the population; ``transform`` builds the fused vectors."""

    def __init__(
        self,
        alpha: float = 1.0,
        beta: float = 0.6,
        gamma: float = 0.4,
        max_categories: int = 8,
    ) -> None:
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
        self.max_categories = max_categories

    def fit(
        self, behaviour: pd.DataFrame, shares: pd.DataFrame, median_price: float
    ) -> ProfileFuser:
        self.median_price_ = median_price
        numeric = behaviour_matrix(behaviour, median_price)
        self.means_ = numeric.mean().fillna(0.0).to_numpy(dtype=np.float64)
        scales = numeric.std(ddof=0).fillna(0.0).to_numpy(dtype=np.float64)
        self.scales_ = np.where(scales > 0, scales, 1.0)
        spend = shares.groupby("category")["share"].sum().sort_index()
        ranked = spend.sort_values(ascending=False, kind="stable")
        self.categories_ = [str(name) for name in ranked.index[: self.max_categories]]
        return self

    def transform(
        self,
        behaviour: pd.DataFrame,
        shares: pd.DataFrame,
        sentiment: pd.DataFrame,
        topics: FloatArray,
    ) -> FloatArray:
        """Rows follow ``behaviour.index``; ``sentiment`` and ``topics`` must be aligned to it."""
        numeric = behaviour_matrix(behaviour, self.median_price_).to_numpy(dtype=np.float64)
        z = np.nan_to_num((numeric - self.means_) / self.scales_, nan=0.0)
        categories = category_matrix(shares, behaviour.index, self.categories_).to_numpy()
        h_behaviour = np.hstack([z, categories])
        h_sentiment = sentiment_matrix(sentiment).to_numpy(dtype=np.float64)
        blocks = [
            self.alpha * h_behaviour / np.sqrt(max(h_behaviour.shape[1], 1)),
            self.beta * h_sentiment / np.sqrt(h_sentiment.shape[1]),
        ]
        if topics.shape[1]:
            blocks.append(self.gamma * topics / np.sqrt(topics.shape[1]))
        return np.hstack(blocks)
