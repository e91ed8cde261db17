"""The profile pipeline: per-customer inputs, population models, and the assembled profiles.

A full build fits the population-level models (price bands, topic model, fusion scaling,
segments, churn/value model) on everyone, then assembles every profile. An incremental refresh
assembles one customer's profile with the stored models from the same functions, so it equals
what a full build with those models gives for that customer. The population-level parts stay
fixed between full rebuilds: a refresh never moves segment centroids, topics or scaling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from insight.profiles.behaviour import behaviour_features, price_edges, spend_shares
from insight.profiles.frames import ShopFrames
from insight.profiles.fusion import ProfileFuser
from insight.profiles.segments import ARCHETYPES, Segmenter
from insight.profiles.sentiment import PolarityScorer, recency_weights, sentiment_by
from insight.profiles.topics import TopicModel
from insight.profiles.value import ValueModel, fit_value_model

FloatArray = npt.NDArray[np.float64]
TOPIC_SHARE_SHOWN = 0.2
TOPICS_SHOWN = 2
MODELS_FORMAT = 2  # bump when the pickled models change shape (2: BG/NBD-anchored value model)


@dataclass(frozen=True)
class ProfileConfig:
    """Fusion weights (α behaviour, β sentiment, γ topics) and the other build settings."""

    alpha: float = 1.0
    beta: float = 0.6
    gamma: float = 0.4
    half_life_days: float = 180.0
    n_topics: int = 8
    k_min: int = 3
    k_max: int = 8
    random_state: int = 0
    threads: int = 1  # BLAS/OpenMP threads: one is fastest on a small, shared machine


@dataclass
class PopulationModels:
    """Everything fitted on the whole population at a full build (pickled for refreshes)."""

    config: ProfileConfig
    as_of: pd.Timestamp
    edges: tuple[float, float]
    topics: TopicModel | None
    fuser: ProfileFuser
    segmenter: Segmenter
    value: ValueModel
    format_version: int

    @property
    def topic_labels(self) -> list[str]:
        return list(self.topics.labels_) if self.topics is not None else []


@dataclass(frozen=True)
class CustomerInputs:
    """Per-customer features that need no population model except price bands and topics.

    ``reviews`` has review_id, customer_id, product_id, rating, created_at, polarity and
    topic_id; ``review_topics`` holds their topic mixes, row for row.
    """

    behaviour: pd.DataFrame
    shares: pd.DataFrame
    sentiment: pd.DataFrame
    topic_mix: FloatArray
    reviews: pd.DataFrame
    review_topics: FloatArray


@dataclass(frozen=True)
class FullBuild:
    models: PopulationModels
    profiles: pd.DataFrame
    vectors: FloatArray
    reviews: pd.DataFrame
    per_product: pd.DataFrame
    per_brand: pd.DataFrame


def score_reviews(
    reviews: pd.DataFrame,
    scorer: PolarityScorer,
    topics: TopicModel | None,
    known: pd.Series | None = None,
) -> tuple[pd.DataFrame, FloatArray]:
    """Reviews with ``polarity`` and dominant ``topic_id`` (-1 without topic), and their mixes.

    ``known`` (index review_id) is polarity ``scorer`` gave some of them before; only the
    others are scored, which keeps a refresh cheap with a transformer scorer.
    """
    texts = reviews["text"].astype(str).tolist()
    previous = known if known is not None else pd.Series(dtype=np.float64)
    polarity = previous.reindex(reviews["review_id"]).to_numpy(dtype=np.float64, copy=True)
    unscored = np.isnan(polarity)
    if unscored.any():
        polarity[unscored] = scorer.polarity(
            [t for t, new in zip(texts, unscored, strict=True) if new]
        )
    width = int(topics.nmf_.n_components_) if topics is not None else 0
    mix = topics.transform(texts) if topics is not None and texts else np.zeros((len(texts), width))
    dominant = (
        np.where(mix.sum(axis=1) > 0, mix.argmax(axis=1), -1)
        if mix.shape[1]
        else np.full(len(texts), -1)
    )
    scored = reviews.drop(columns="text").assign(polarity=polarity, topic_id=dominant)
    return scored, mix


def weighted_topic_mix(
    keys: pd.Series, mix: FloatArray, weights: pd.Series, index: pd.Index
) -> FloatArray:
    """Σ w·mix / Σ w per key, rows in ``index`` order (zeros for keys without reviews)."""
    if mix.shape[1] == 0:
        return np.zeros((len(index), 0))
    w = weights.to_numpy(dtype=np.float64)
    frame = pd.DataFrame(mix * w[:, None]).assign(key=keys.to_numpy(), w=w)
    sums = frame.groupby("key").sum()
    mean = sums.drop(columns="w").div(sums["w"], axis=0)
    return mean.reindex(index).fillna(0.0).to_numpy(dtype=np.float64)


def customer_inputs(
    frames: ShopFrames,
    as_of: pd.Timestamp,
    *,
    edges: tuple[float, float],
    topics: TopicModel | None,
    scorer: PolarityScorer,
    half_life_days: float,
) -> CustomerInputs:
    frames = frames.until(as_of)
    behaviour = behaviour_features(frames, as_of, edges)
    reviews, mix = score_reviews(frames.reviews, scorer, topics)
    sentiment = sentiment_by(reviews, "customer_id", as_of, half_life_days).reindex(behaviour.index)
    sentiment["review_count"] = sentiment["review_count"].fillna(0).astype(np.int64)
    weights = recency_weights(reviews["created_at"], as_of, half_life_days)
    topic_mix = weighted_topic_mix(reviews["customer_id"], mix, weights, behaviour.index)
    return CustomerInputs(
        behaviour=behaviour,
        shares=spend_shares(frames, "category"),
        sentiment=sentiment,
        topic_mix=topic_mix,
        reviews=reviews,
        review_topics=mix,
    )


def stored_inputs(
    frames: ShopFrames, as_of: pd.Timestamp, models: PopulationModels, scorer: PolarityScorer
) -> CustomerInputs:
    """``customer_inputs`` with the price bands, topics and half-life a full build fitted."""
    return customer_inputs(
        frames,
        as_of,
        edges=models.edges,
        topics=models.topics,
        scorer=scorer,
        half_life_days=models.config.half_life_days,
    )


def fit_population(
    frames: ShopFrames, as_of: pd.Timestamp, config: ProfileConfig, scorer: PolarityScorer
) -> tuple[PopulationModels, CustomerInputs]:
    """Fit every population-level model; returns them with the inputs they were fitted on."""
    upto = frames.until(as_of)
    edges = price_edges(upto.products)
    texts = upto.reviews["text"].astype(str).tolist()
    topics = (
        TopicModel(n_topics=config.n_topics, random_state=config.random_state).fit(texts)
        if len(texts) >= 2
        else None
    )
    inputs = customer_inputs(
        frames,
        as_of,
        edges=edges,
        topics=topics,
        scorer=scorer,
        half_life_days=config.half_life_days,
    )
    median_price = float(upto.products["price"].median()) if len(upto.products) else 0.0
    fuser = ProfileFuser(alpha=config.alpha, beta=config.beta, gamma=config.gamma).fit(
        inputs.behaviour, inputs.shares, median_price
    )
    vectors = fuser.transform(inputs.behaviour, inputs.shares, inputs.sentiment, inputs.topic_mix)
    descriptors = inputs.behaviour.assign(sentiment=inputs.sentiment["sentiment"])
    segmenter = Segmenter(
        k_min=config.k_min, k_max=config.k_max, random_state=config.random_state
    ).fit(vectors, descriptors)
    value = fit_value_model(upto.orders, as_of, random_state=config.random_state)
    models = PopulationModels(
        config=config,
        as_of=as_of,
        edges=edges,
        topics=topics,
        fuser=fuser,
        segmenter=segmenter,
        value=value,
        format_version=MODELS_FORMAT,
    )
    return models, inputs


def _top_topics(mix: FloatArray, labels: list[str]) -> list[tuple[str, ...]]:
    if mix.shape[1] == 0:
        return [()] * mix.shape[0]
    order = np.argsort(-mix, axis=1, kind="stable")[:, :TOPICS_SHOWN]
    shown = np.take_along_axis(mix, order, axis=1) >= TOPIC_SHARE_SHOWN
    return [
        tuple(labels[t] for t, keep in zip(row, ok, strict=True) if keep)
        for row, ok in zip(order, shown, strict=True)
    ]


def assemble(
    inputs: CustomerInputs, models: PopulationModels, frames: ShopFrames, as_of: pd.Timestamp
) -> tuple[pd.DataFrame, FloatArray]:
    """Readable profile columns (index customer_id) and the fused vectors, same row order."""
    behaviour = inputs.behaviour
    vectors = models.fuser.transform(behaviour, inputs.shares, inputs.sentiment, inputs.topic_mix)
    segment_ids = models.segmenter.predict(vectors) if len(vectors) else np.zeros(0, dtype=np.int64)
    value = models.value.predict(frames.orders, as_of).reindex(behaviour.index)
    profiles = behaviour.drop(columns=["avg_unit_price"]).assign(
        segment_id=segment_ids,
        segment=[ARCHETYPES[i] for i in segment_ids],
        churn_risk=value["churn_risk"],
        expected_orders_12m=value["expected_orders_12m"].fillna(0.0),
        predicted_value_12m=value["predicted_value_12m"].fillna(0.0),
        sentiment=inputs.sentiment["sentiment"],
        review_count=inputs.sentiment["review_count"],
        top_topics=pd.Series(
            _top_topics(inputs.topic_mix, models.topic_labels), index=behaviour.index, dtype=object
        ),
        as_of=as_of,
    )
    return profiles, vectors


def product_insights(
    reviews: pd.DataFrame,
    mix: FloatArray,
    products: pd.DataFrame,
    models: PopulationModels,
    as_of: pd.Timestamp,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per product (reviewed ones) and per brand: review count, recency-weighted sentiment,
    mean rating; top topics per product (unweighted mean topic mix)."""
    half_life = models.config.half_life_days
    per_product = sentiment_by(reviews, "product_id", as_of, half_life)
    weights = pd.Series(np.ones(len(reviews)), index=reviews.index)
    product_mix = weighted_topic_mix(reviews["product_id"], mix, weights, per_product.index)
    per_product["top_topics"] = _top_topics(product_mix, models.topic_labels)
    with_brand = reviews.merge(products[["product_id", "brand"]], on="product_id")
    per_brand = sentiment_by(with_brand, "brand", as_of, half_life)
    return per_product, per_brand
