"""Review scorers: which one a build uses, how a refresh finds it again, and what is re-scored."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from insight.emotion.polarity import TransformerPolarity, model_dir_for
from insight.profiles.pipeline import score_reviews
from insight.profiles.sentiment import (
    FakePolarity,
    FloatArray,
    VaderBaseline,
    build_scorer,
    scorer_named,
)


class CountingPolarity(FakePolarity):
    """Remembers which texts it was asked to score."""

    def __init__(self, scores: dict[str, float]) -> None:
        super().__init__(scores)
        self.asked: list[str] = []

    def polarity(self, texts: Sequence[str]) -> FloatArray:
        self.asked.extend(texts)
        return super().polarity(texts)


def test_only_reviews_without_a_stored_score_are_scored() -> None:
    reviews = pd.DataFrame(
        {
            "review_id": [11, 12, 13],
            "customer_id": [1, 1, 2],
            "product_id": [5, 6, 5],
            "rating": [5.0, 1.0, 3.0],
            "text": ["great", "awful", "fine"],
            "created_at": pd.to_datetime(["2026-01-01"] * 3),
        }
    )
    scorer = CountingPolarity({"great": 0.75, "awful": -0.5, "fine": 0.25})
    known = pd.Series([-0.9], index=pd.Index([12], name="review_id"))

    scored, _ = score_reviews(reviews, scorer, None, known)

    assert scorer.asked == ["great", "fine"]
    np.testing.assert_allclose(scored["polarity"], [0.75, -0.9, 0.25])
    everything, _ = score_reviews(reviews, scorer, None)
    np.testing.assert_allclose(everything["polarity"], [0.75, -0.5, 0.25])


def test_without_an_emotion_model_the_build_falls_back_to_vader_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="insight.profiles.sentiment"):
        scorer = build_scorer(tmp_path)

    assert isinstance(scorer, VaderBaseline) and scorer.name == "vader-baseline"
    assert [record.levelno for record in caplog.records] == [logging.WARNING]
    assert "VADER baseline" in caplog.text and "build emotion" in caplog.text


def test_a_refresh_finds_the_builds_scorer_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "artefacts" / "emotion-0123456789abcdef"
    transformer = TransformerPolarity(folder)  # stores the folder; loads nothing yet

    assert transformer.name == "minilm-polarity-0123456789abcdef"
    assert len(transformer.name) <= 40  # the width of the scorer columns
    assert model_dir_for(transformer.name, tmp_path) == folder
    assert isinstance(scorer_named("vader-baseline", tmp_path), VaderBaseline)
    with pytest.raises(FileNotFoundError, match="is gone"):
        scorer_named(transformer.name, tmp_path)  # nothing built in this cache
    with pytest.raises(ValueError, match="not a transformer"):
        model_dir_for("fake", tmp_path)
