"""Full rebuild and incremental refresh of the profile tables.

``build_profiles`` reads the shop, fits the population-level models and replaces every insight
table. ``refresh_customer`` is the incremental path for an order, review or browsing event:
it recomputes one customer's profile (and the insights of the products they reviewed) with the
stored models. Segment centroids, topics, fusion scaling and the churn/value model stay as the
last full build fitted them; run a full rebuild (nightly, say) to refit them.
``insight.profiles.refresh`` decides when to call which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, func, select
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from insight.db.models import BrowsingEvent, Order, Review
from insight.profiles.frames import ShopFrames, load_brand_reviews, load_frames
from insight.profiles.pipeline import (
    FullBuild,
    PopulationModels,
    ProfileConfig,
    assemble,
    fit_population,
    product_insights,
    score_reviews,
    stored_inputs,
)
from insight.profiles.sentiment import PolarityScorer, VaderBaseline
from insight.profiles.store import (
    load_models,
    replace_all,
    replace_customer,
    replace_product_insights,
    stored_polarity,
)

BUILD_STEPS = ("load shop", "fit models", "assemble profiles", "product insights", "write tables")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildSummary:
    customers: int
    reviews: int
    segments: dict[str, int]
    topics: list[str]
    as_of: datetime
    built_at: datetime
    scorer: str


def latest_activity(engine: Engine) -> pd.Timestamp:
    """The shop's latest order, review or browsing event: the default ``as_of`` of a build."""
    with engine.connect() as connection:
        moments = [
            connection.scalar(select(func.max(column)))
            for column in (Order.placed_at, Review.created_at, BrowsingEvent.occurred_at)
        ]
    known = [pd.Timestamp(m) for m in moments if m is not None]
    return max(known) if known else pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")


def build_from_frames(
    frames: ShopFrames,
    as_of: pd.Timestamp,
    config: ProfileConfig,
    scorer: PolarityScorer,
    progress: Progress,
) -> FullBuild:
    """The computation of a full build without the database (the benchmark times this too).

    BLAS and OpenMP run with ``config.threads`` threads: on a busy two-core machine, one
    thread fits gradient boosting several times faster than two contending ones.
    """
    with threadpool_limits(limits=config.threads):
        models, inputs = fit_population(frames, as_of, config, scorer)
        progress("fit models")
        profiles, vectors = assemble(inputs, models, frames, as_of)
        progress("assemble profiles")
        per_product, per_brand = product_insights(
            inputs.reviews, inputs.review_topics, frames.products, models, as_of
        )
        progress("product insights")
    return FullBuild(models, profiles, vectors, inputs.reviews, per_product, per_brand)


def write_full_build(engine: Engine, build: FullBuild, scorer: str) -> datetime:
    return replace_all(engine, build, scorer)


def build_profiles(
    engine: Engine,
    config: ProfileConfig | None = None,
    as_of: datetime | None = None,
    scorer: PolarityScorer | None = None,
    progress: Progress | None = None,
) -> BuildSummary:
    """Rebuild every profile and insight table; ``progress`` is told each finished step."""
    config = config or ProfileConfig()
    scorer = scorer or VaderBaseline()
    step = progress or (lambda _name: None)
    moment = pd.Timestamp(as_of) if as_of is not None else latest_activity(engine)
    frames = load_frames(engine)
    step("load shop")
    build = build_from_frames(frames, moment, config, scorer, step)
    built_at = write_full_build(engine, build, scorer.name)
    step("write tables")
    counts = build.profiles["segment"].value_counts().sort_index()
    return BuildSummary(
        customers=len(build.profiles),
        reviews=len(build.reviews),
        segments={str(name): int(size) for name, size in counts.items()},
        topics=build.models.topic_labels,
        as_of=moment.to_pydatetime(),
        built_at=built_at,
        scorer=scorer.name,
    )


def refresh_customer(
    engine: Engine,
    customer_id: int,
    as_of: datetime | None = None,
    scorer: PolarityScorer | None = None,
    built: tuple[PopulationModels, str] | None = None,
) -> None:
    """Recompute one customer's profile with the last full build's models.

    Call it when the customer places an order, writes a review or browses. ``as_of`` defaults
    to the later of the last build's and the customer's latest event. The insights of the
    products the customer reviewed (and their brands) are recomputed too, with the stored
    polarity of other customers' reviews. ``built`` is ``load_models``' result when the caller
    holds it already; raises ``NotBuiltError`` before the first full build.
    """
    models, scorer_name = built if built is not None else load_models(engine)
    scorer = scorer or VaderBaseline()
    if scorer.name != scorer_name:
        raise ValueError(f"the last build used scorer {scorer_name!r}, not {scorer.name!r}")
    frames = load_frames(engine, customer_ids=[customer_id])
    moment = pd.Timestamp(as_of) if as_of is not None else _latest_for(frames, models.as_of)
    with threadpool_limits(limits=models.config.threads):
        inputs = stored_inputs(frames, moment, models, scorer)
        profiles, vectors = assemble(inputs, models, frames, moment)
    replace_customer(
        engine,
        customer_id,
        profiles=profiles,
        vectors=vectors,
        reviews=inputs.reviews,
        scorer=scorer.name,
    )
    products = sorted({int(p) for p in inputs.reviews["product_id"]})
    if products:
        brands = frames.products.loc[frames.products["product_id"].isin(products), "brand"]
        brand_reviews = load_brand_reviews(engine, sorted(set(brands)))
        brand_reviews = brand_reviews[brand_reviews["created_at"] <= moment]
        known = stored_polarity(engine, brand_reviews["review_id"].tolist(), scorer.name)
        scored, mix = score_reviews(brand_reviews, scorer, models.topics, known)
        per_product, per_brand = product_insights(scored, mix, frames.products, models, moment)
        replace_product_insights(engine, per_product, per_brand)


def _latest_for(frames: ShopFrames, built: pd.Timestamp) -> pd.Timestamp:
    moments = [
        frames.orders["placed_at"].max(),
        frames.reviews["created_at"].max(),
        frames.browsing["occurred_at"].max(),
        built,
    ]
    return max(pd.Timestamp(m) for m in moments if pd.notna(m))
