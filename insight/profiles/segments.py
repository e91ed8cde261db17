"""Segments: k-means on fused profile vectors, k chosen by silhouette, named from centroids.

Names come from what the members of each cluster are like, measured as the mean population
percentile of a few readable features (recency, frequency, spend, tenure, price level, review
sentiment, return rate). Each archetype below scores every cluster; the best (cluster,
archetype) pair is taken first, then the next best among the rest, so names are unique.
Segment ids are the archetype's position in ``ARCHETYPES``: "loyal high spenders" has the same
id after every rebuild, whatever order k-means found its clusters in. Seeds are fixed, so
rebuilding the same data gives the same segments.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ARCHETYPES = (
    "loyal high spenders",
    "at risk",
    "new customers",
    "bargain hunters",
    "premium shoppers",
    "unhappy reviewers",
    "lapsed one-timers",
    "window shoppers",
    "frequent returners",
    "regulars",
)
DESCRIPTOR_COLUMNS = (
    "recency_days",
    "frequency",
    "monetary",
    "tenure_days",
    "avg_unit_price",
    "sentiment",
    "return_rate",
)


def percentiles(descriptors: pd.DataFrame) -> pd.DataFrame:
    """Population percentile (0–1) of each descriptor; a missing value counts as the middle."""
    filled = descriptors.assign(
        recency_days=descriptors["recency_days"].fillna(descriptors["tenure_days"])
    )
    return filled[list(DESCRIPTOR_COLUMNS)].rank(pct=True).fillna(0.5)


def archetype_scores(
    pct: pd.DataFrame, never_ordered: pd.Series, has_reviews: pd.Series
) -> pd.DataFrame:
    """How well each customer fits each archetype (0–1); clusters average these."""
    recent = 1 - pct["recency_days"]
    value = (pct["frequency"] + pct["monetary"]) / 2
    ordered = 1 - never_ordered
    return pd.DataFrame(
        {
            "loyal high spenders": (value + recent) / 2 * ordered,
            "at risk": (value + pct["recency_days"]) / 2 * ordered,
            "new customers": 1 - pct["tenure_days"],
            "bargain hunters": (1 - pct["avg_unit_price"]) * ordered,
            "premium shoppers": pct["avg_unit_price"] * ordered,
            "unhappy reviewers": (1 - pct["sentiment"]) * has_reviews,
            "lapsed one-timers": (pct["recency_days"] + 1 - pct["frequency"]) / 2 * ordered,
            "window shoppers": never_ordered,
            "frequent returners": pct["return_rate"] * ordered,
            "regulars": pd.Series(0.5, index=pct.index),
        },
        index=pct.index,
    )[list(ARCHETYPES)]


def assign_names(cluster_scores: FloatArray) -> list[str]:
    """Greedy unique assignment: best (cluster, archetype) pair first; ties by position."""
    scores = np.array(cluster_scores, dtype=np.float64)
    names = [""] * scores.shape[0]
    for _ in range(scores.shape[0]):
        cluster, archetype = np.unravel_index(np.argmax(scores), scores.shape)
        names[int(cluster)] = ARCHETYPES[int(archetype)]
        scores[cluster, :] = -np.inf
        scores[:, archetype] = -np.inf
    return names


class Segmenter(BaseEstimator):  # type: ignore[misc]
    def __init__(
        self,
        k_min: int = 3,
        k_max: int = 8,
        fit_sample: int = 100_000,
        silhouette_sample: int = 5_000,
        random_state: int = 0,
    ) -> None:
        self.k_min = k_min
        self.k_max = k_max
        self.fit_sample = fit_sample
        self.silhouette_sample = silhouette_sample
        self.random_state = random_state

    def _choose_k(self, x: FloatArray) -> int:
        distinct = len(np.unique(x.round(9), axis=0))
        candidates = range(max(2, self.k_min), min(self.k_max, distinct - 1, len(ARCHETYPES)) + 1)
        best_k, best_score = min(distinct, max(1, self.k_min)), -np.inf
        for k in candidates:
            labels = KMeans(n_clusters=k, n_init=3, random_state=self.random_state).fit_predict(x)
            score = silhouette_score(
                x,
                labels,
                sample_size=min(self.silhouette_sample, len(x)),
                random_state=self.random_state,
            )
            if score > best_score:
                best_k, best_score = k, float(score)
        self.silhouette_ = best_score if np.isfinite(best_score) else float("nan")
        return best_k

    def fit(self, x: FloatArray, descriptors: pd.DataFrame) -> Segmenter:
        """``descriptors`` (rows aligned with ``x``) carries ``DESCRIPTOR_COLUMNS``."""
        rng = np.random.default_rng(self.random_state)
        sample = (
            np.sort(rng.choice(len(x), self.fit_sample, replace=False))
            if len(x) > self.fit_sample
            else np.arange(len(x))
        )
        small = (
            x[sample[: self.silhouette_sample * 4]]
            if len(sample) > self.silhouette_sample * 4
            else x[sample]
        )
        k = self._choose_k(small)
        self.kmeans_ = KMeans(n_clusters=k, n_init=4, random_state=self.random_state).fit(x[sample])
        labels = self.kmeans_.predict(x)
        scores = archetype_scores(
            percentiles(descriptors),
            (descriptors["frequency"] == 0).astype(np.float64),
            descriptors["sentiment"].notna().astype(np.float64),
        )
        cluster_scores = scores.groupby(labels).mean().reindex(range(k), fill_value=0.0)
        names = assign_names(cluster_scores.to_numpy())
        self.names_ = names
        self.segment_ids_ = np.array([ARCHETYPES.index(name) for name in names], dtype=np.int64)
        self.n_segments_ = k
        return self

    def predict(self, x: FloatArray) -> IntArray:
        """Stable segment ids (positions in ``ARCHETYPES``)."""
        return np.asarray(self.segment_ids_[self.kmeans_.predict(x)], dtype=np.int64)
