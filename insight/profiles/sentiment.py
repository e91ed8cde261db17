"""Review sentiment: a swappable polarity scorer and recency-weighted aggregation.

Profile builds score reviews with the polarity head of the fine-tuned transformer
(``insight.emotion.polarity``) when ``python -m insight build emotion`` has built it, and with
VADER (``vaderSentiment``), a lexicon model kept as the named baseline, when it has not.
Builds record the scorer's name; a refresh scores with the same one (``scorer_named``).

Aggregation weighs each review by ``0.5 ** (age_days / half_life_days)``, so a review one
half-life old counts half as much as one written at ``as_of``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
log = logging.getLogger(__name__)


class PolarityScorer(Protocol):
    @property
    def name(self) -> str:
        """Recorded with a build; a refresh must score with the scorer of the same name."""
        ...

    def polarity(self, texts: Sequence[str]) -> FloatArray:
        """One score in [-1, 1] per text (negative … positive)."""
        ...


class VaderBaseline:
    """VADER's compound score: the baseline, and the scorer when no transformer is built."""

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


def build_scorer(cache_dir: Path) -> PolarityScorer:
    """The transformer's polarity head when the current emotion model is built, else VADER
    (with a warning saying so). Importing the transformer side loads torch, so it is lazy."""
    from insight.emotion.model import META_FILE
    from insight.emotion.polarity import TransformerPolarity
    from insight.emotion.train import artefact_path

    folder = artefact_path(cache_dir)
    if (folder / META_FILE).exists():
        return TransformerPolarity(folder)
    log.warning(
        "no emotion model at %s (run `python -m insight build emotion`): reviews are scored "
        "with the VADER baseline",
        folder,
    )
    return VaderBaseline()


def scorer_named(name: str, cache_dir: Path) -> PolarityScorer:
    """The scorer a build recorded as ``name``, so that a refresh scores as the build did."""
    if name == VaderBaseline.name:
        return VaderBaseline()
    from insight.emotion.model import META_FILE
    from insight.emotion.polarity import TransformerPolarity, model_dir_for

    folder = model_dir_for(name, cache_dir)
    if not (folder / META_FILE).exists():
        raise FileNotFoundError(f"the emotion model that scored as {name!r} is gone")
    return TransformerPolarity(folder)


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
