"""Review sentiment: a swappable polarity scorer and recency-weighted aggregation.

The baseline scorer is VADER (``vaderSentiment``), a lexicon model, clearly named as such. The
project's transformer emotion detector can replace it behind ``PolarityScorer`` once it lands.

Aggregation weighs each review by ``0.5 ** (age_days / half_life_days)``, so a review one
half-life old counts half as much as one written at ``as_of``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]


class PolarityScorer(Protocol):
    name: str

    def polarity(self, texts: Sequence[str]) -> FloatArray:
        """One score in [-1, 1] per text (negative … positive)."""
        ...


class VaderBaseline:
    """VADER's compound score: the baseline until the transformer detector is available."""

    name = "vader-baseline"

    def __init__(self) -> None:
        self._analyzer: Any = None

    def warm_up(self) -> None:
        if self._analyzer is None:
            from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped]
                SentimentIntensityAnalyzer,
            )

            self._analyzer = SentimentIntensityAnalyzer()

    def polarity(self, texts: Sequence[str]) -> FloatArray:
        """Scores each distinct text once (repeated texts are common in review data)."""
        self.warm_up()
        codes, unique = pd.factorize(pd.Series(list(texts), dtype=object))
        scores = np.array(
            [self._analyzer.polarity_scores(text)["compound"] for text in unique], dtype=np.float64
        )
        return scores[codes] if len(codes) else np.zeros(0, dtype=np.float64)


class FakePolarity:
    """Deterministic ``PolarityScorer`` for tests: fixed scores per text, ``default`` otherwise."""

    name = "fake"

    def __init__(self, scores: Mapping[str, float], default: float = 0.0) -> None:
        self.scores = dict(scores)
        self.default = default

    def polarity(self, texts: Sequence[str]) -> FloatArray:
        return np.array([self.scores.get(text, self.default) for text in texts], dtype=np.float64)


def recency_weights(created_at: pd.Series, as_of: pd.Timestamp, half_life_days: float) -> pd.Series:
    age_days = (as_of - created_at).dt.total_seconds().to_numpy(dtype=np.float64) / 86_400
    return pd.Series(np.power(0.5, age_days / half_life_days), index=created_at.index)


def weighted_mean(keys: pd.Series, values: pd.Series, weights: pd.Series) -> pd.Series:
    """Σ w·v / Σ w per key."""
    frame = pd.DataFrame(
        {"key": keys.to_numpy(), "wv": (values * weights).to_numpy(), "w": weights.to_numpy()}
    )
    sums = frame.groupby("key")[["wv", "w"]].sum()
    return sums["wv"] / sums["w"]


def sentiment_by(
    reviews: pd.DataFrame, key: str, as_of: pd.Timestamp, half_life_days: float
) -> pd.DataFrame:
    """Per ``key`` (customer_id, product_id, brand): review count, recency-weighted polarity
    and plain mean rating. ``reviews`` carries a ``polarity`` column."""
    weights = recency_weights(reviews["created_at"], as_of, half_life_days)
    groups = reviews.groupby(key)
    return pd.DataFrame(
        {
            "review_count": groups.size(),
            "sentiment": weighted_mean(reviews[key], reviews["polarity"], weights),
            "mean_rating": groups["rating"].mean(),
        }
    ).rename_axis(key)
