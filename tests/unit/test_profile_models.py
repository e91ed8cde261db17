"""Topics, fusion, segment naming and stability, the value fallback, and the profile contract."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from insight.profiles.behaviour import price_band
from insight.profiles.contracts import CustomerProfile, FakeProfileLookup
from insight.profiles.fusion import ProfileFuser, behaviour_matrix
from insight.profiles.pipeline import (
    CustomerInputs,
    PopulationModels,
    ProfileConfig,
    fit_population,
)
from insight.profiles.segments import ARCHETYPES, Segmenter, assign_names
from insight.profiles.sentiment import FakePolarity, VaderBaseline, recency_weights
from insight.profiles.synthetic import SYNTHETIC_NOW, synthetic_shop
from insight.profiles.topics import TopicModel
from insight.profiles.value import RecencyRule

REVIEWS = [
    "battery life is short and the battery drains",
    "battery drains overnight, poor battery",
    "delivery was late, the courier lost the parcel",
    "late delivery and a rude courier",
    "screen is bright and sharp",
    "sharp bright screen, lovely colours",
]


def test_topic_labels_are_top_words_and_mixes_sum_to_one() -> None:
    model = TopicModel(n_topics=3, random_state=0).fit(REVIEWS)
    assert len(model.labels_) == 3
    assert any("battery" in label for label in model.labels_)
    assert any("delivery" in label or "courier" in label for label in model.labels_)
    mix = model.transform(["the battery drains", "zzz qqq"])
    assert mix[0].sum() == pytest.approx(1.0) and mix[1].sum() == 0
    assert "battery" in model.labels_[int(mix[0].argmax())]


def test_recency_weights_halve_every_half_life() -> None:
    created = pd.Series(pd.to_datetime(["2026-01-31", "2026-01-01", "2025-12-02"]))
    weights = recency_weights(created, pd.Timestamp("2026-01-31"), half_life_days=30)
    np.testing.assert_allclose(weights, [1.0, 0.5, 0.25])


def test_vader_baseline_scores_polarity_and_repeats_once() -> None:
    scores = VaderBaseline().polarity(
        ["I love it, great!", "terrible, broke in a day", "I love it, great!"]
    )
    assert scores[0] > 0.5 and scores[1] < -0.3 and scores[0] == scores[2]
    assert FakePolarity({"a": 0.5}).polarity(["a", "b"]).tolist() == [0.5, 0.0]


def _behaviour() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "recency_days": [9.0, np.nan],
            "frequency": [3, 0],
            "monetary": [299.0, 0.0],
            "avg_order_value": [99.0, np.nan],
            "tenure_days": [99.0, 19.0],
            "avg_unit_price": [50.0, np.nan],
            "views_per_order": [1.0, np.nan],
            "return_rate": [0.5, np.nan],
            "days_since_contact": [np.nan, 0.0],
        },
        index=pd.Index([1, 2], name="customer_id"),
    )


def test_behaviour_matrix_logs_and_imputes_by_hand() -> None:
    m = behaviour_matrix(_behaviour(), median_price=100.0).to_dict("index")
    assert m[1]["log_recency"] == pytest.approx(np.log(10))
    assert m[2]["log_recency"] == pytest.approx(np.log(20))  # never ordered: tenure
    assert m[1]["log_monetary"] == pytest.approx(np.log(300))
    assert m[1]["price_level"] == pytest.approx(0.5)
    assert m[1]["log_views_per_order"] == pytest.approx(np.log(2))
    assert np.isnan(m[2]["return_rate"])


def test_fused_vector_blocks_are_weighted_by_alpha_beta_gamma() -> None:
    behaviour = _behaviour()
    shares = pd.DataFrame({"customer_id": [1], "category": ["Laptops"], "share": [1.0]})
    sentiment = pd.DataFrame(
        {"sentiment": [0.5, np.nan], "mean_rating": [5.0, np.nan], "review_count": [1, 0]},
        index=behaviour.index,
    )
    topics = np.array([[0.25, 0.75], [0.0, 0.0]])
    fuser = ProfileFuser(alpha=2.0, beta=0.5, gamma=3.0).fit(behaviour, shares, 100.0)
    p = fuser.transform(behaviour, shares, sentiment, topics)
    assert p.shape == (2, 9 + 1 + 3 + 2)  # behaviour + one category, sentiment, topics
    np.testing.assert_allclose(p[0, 10:13], 0.5 * np.array([0.5, 1.0, 1.0]) / np.sqrt(3))
    np.testing.assert_allclose(p[0, 13:], 3.0 * topics[0] / np.sqrt(2))
    assert p[0, 9] == pytest.approx(2.0 * 1.0 / np.sqrt(10))  # the Laptops share
    # z-scores: two customers, so every defined column is ±1 (÷ √10 · α); missing → 0
    assert abs(p[0, 1]) == pytest.approx(2.0 / np.sqrt(10))
    assert p[1, 7] == 0.0  # return rate of customer 2 is missing


def test_names_are_assigned_best_pair_first_and_unique() -> None:
    scores = np.zeros((3, len(ARCHETYPES)))
    scores[0, ARCHETYPES.index("at risk")] = 0.9
    scores[1, ARCHETYPES.index("at risk")] = 0.8  # also at risk, but less: gets its next best
    scores[1, ARCHETYPES.index("bargain hunters")] = 0.7
    scores[2, ARCHETYPES.index("new customers")] = 0.6
    assert assign_names(scores) == ["at risk", "bargain hunters", "new customers"]


Fitted = tuple[PopulationModels, CustomerInputs]


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """OpenMP threads contend on a small shared machine; one is faster (as in the build)."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def synthetic_build() -> Fitted:
    with threadpool_limits(limits=1):
        return fit_population(
            synthetic_shop(4000, seed=1), SYNTHETIC_NOW, ProfileConfig(), VaderBaseline()
        )


def test_segments_are_named_after_what_their_members_are_like(
    synthetic_build: Fitted,
) -> None:
    models, inputs = synthetic_build
    vectors = models.fuser.transform(
        inputs.behaviour, inputs.shares, inputs.sentiment, inputs.topic_mix
    )
    segment = pd.Series(models.segmenter.predict(vectors), index=inputs.behaviour.index).map(
        lambda i: ARCHETYPES[i]
    )
    behaviour = inputs.behaviour
    assert 3 <= segment.nunique() <= 8
    medians = (
        behaviour.assign(segment=segment)
        .groupby("segment")[["frequency", "monetary", "tenure_days"]]
        .median()
        .to_dict("index")
    )
    if "window shoppers" in medians:
        assert medians["window shoppers"]["frequency"] == 0
    if "loyal high spenders" in medians:
        assert medians["loyal high spenders"]["monetary"] > behaviour["monetary"].median()
    if "new customers" in medians:
        assert medians["new customers"]["tenure_days"] < behaviour["tenure_days"].median()


def test_segments_are_stable_across_rebuilds_and_row_order(
    synthetic_build: Fitted,
) -> None:
    models, inputs = synthetic_build
    vectors = models.fuser.transform(
        inputs.behaviour, inputs.shares, inputs.sentiment, inputs.topic_mix
    )
    descriptors = inputs.behaviour.assign(sentiment=inputs.sentiment["sentiment"])
    again = Segmenter(random_state=0).fit(vectors, descriptors)
    assert again.names_ == models.segmenter.names_
    np.testing.assert_array_equal(again.predict(vectors), models.segmenter.predict(vectors))
    order = np.random.default_rng(5).permutation(len(vectors))
    shuffled = Segmenter(random_state=0).fit(vectors[order], descriptors.iloc[order])
    agreement = np.mean(shuffled.predict(vectors) == models.segmenter.predict(vectors))
    assert sorted(shuffled.names_) == sorted(models.segmenter.names_)
    assert agreement > 0.95


def test_recency_rule_by_hand() -> None:
    x = pd.DataFrame(
        {
            "ipt_mean": [10.0, 30.0, np.nan],
            "days_since_last": [0.0, 40.0, 5.0],
            "monetary_mean": [50.0, 20.0, 10.0],
        }
    )
    rule = RecencyRule().fit(x, horizon_days=60)
    assert rule.gap_days_ == 20.0  # median of 10 and 30
    prediction = rule.predict(x)
    np.testing.assert_allclose(
        prediction.churn_probability, 1 - np.exp(-np.array([0.0, 40.0, 5.0]) / 40)
    )
    np.testing.assert_allclose(
        prediction.expected_purchases, np.exp(-np.array([0.0, 1.0, 0.125])) * 3
    )
    np.testing.assert_allclose(
        prediction.expected_spend, prediction.expected_purchases * [50, 20, 10]
    )
    assert RecencyRule().fit(x.iloc[2:], 60).gap_days_ == 90.0  # nobody bought twice


def test_the_value_model_is_trained_when_the_shop_has_history(
    synthetic_build: Fitted,
) -> None:
    models, _ = synthetic_build
    assert type(models.value.model).__name__ == "ChurnValueModel"
    assert models.value.horizon_days == 365
    assert pickle.loads(pickle.dumps(models)).value.horizon_days == 365  # builds store it so


def _profile(**changes: object) -> CustomerProfile:
    base = CustomerProfile(
        customer_id=1,
        segment="regulars",
        churn_risk=0.2,
        predicted_value_12m=100.0,
        expected_orders_12m=2.0,
        top_categories=("Laptops",),
        top_brands=("Aero",),
        price_band="mid",
        sentiment=0.1,
        review_count=1,
        top_topics=(),
        last_order_number="SS-1",
        last_order_at=datetime(2026, 1, 1),
        recency_days=5.0,
        frequency=2,
        monetary=300.0,
        avg_order_value=150.0,
        tenure_days=100.0,
        views_per_order=2.0,
        return_rate=0.0,
        days_since_contact=None,
        as_of=datetime(2026, 1, 6),
        vector=(0.1, 0.2),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_tone_follows_sentiment_value_and_risk() -> None:
    assert _profile().tone == "neutral"
    assert _profile(sentiment=-0.5, segment="loyal high spenders").tone == "apologetic"
    assert _profile(segment="loyal high spenders").tone == "appreciative"
    assert _profile(churn_risk=0.8).tone == "reassuring"
    assert _profile(churn_risk=None, sentiment=None).tone == "neutral"


def test_fake_lookup() -> None:
    lookup = FakeProfileLookup([_profile(customer_id=7)])
    assert lookup.get(7) is not None and lookup.get(8) is None


def test_price_bands_split_at_the_tertiles() -> None:
    paid = pd.Series([5.0, 10.0, 50.0, 99.9, 100.0, np.nan])
    bands = price_band(paid, (10.0, 100.0)).tolist()
    assert bands[:5] == ["budget", "mid", "mid", "mid", "premium"]
    assert pd.isna(bands[5])
