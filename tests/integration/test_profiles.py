"""Profile features, build, fetch and incremental refresh on the hand-computable shop
(tests/profile_shop.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import math
import time
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from insight.cli import app
from insight.db.models import BrandInsightRow, CustomerSegmentRow, ProductInsightRow
from insight.profiles import (
    NotBuiltError,
    ProfileConfig,
    ProfileRepository,
    build_profiles,
    refresh_customer,
)
from insight.profiles.behaviour import behaviour_features, price_edges
from insight.profiles.frames import load_frames
from insight.profiles.pipeline import MODELS_FORMAT, product_insights, score_reviews, stored_inputs
from insight.profiles.sentiment import sentiment_by
from insight.profiles.store import load_models
from tests.profile_shop import (
    AS_OF,
    POLARITY,
    ProfileShop,
    add_order,
    add_review,
    assert_as_full_rebuild,
    build_profile_shop,
)

NOW = pd.Timestamp(AS_OF)


@pytest.fixture
def profile_shop(sessions: sessionmaker[Session]) -> ProfileShop:
    return build_profile_shop(sessions)


def test_price_edges_are_the_catalogue_tertiles(engine: Engine, profile_shop: ProfileShop) -> None:
    low, high = price_edges(load_frames(engine).products)
    assert low == pytest.approx(100 + 100 / 3) and high == pytest.approx(200 + 600 * 2 / 3)


def test_behaviour_features_by_hand(engine: Engine, profile_shop: ProfileShop) -> None:
    frames = load_frames(engine)
    features = behaviour_features(frames, NOW, price_edges(frames.products))
    ada = features.loc[profile_shop.ada].to_dict()
    assert ada["recency_days"] == pytest.approx(10)
    assert ada["frequency"] == 2  # the cancelled order does not count
    assert ada["monetary"] == pytest.approx(1020)
    assert ada["avg_order_value"] == pytest.approx(510)
    assert ada["tenure_days"] == pytest.approx(400)
    assert ada["avg_unit_price"] == pytest.approx(1020 / 5)
    assert ada["price_band"] == "mid"
    assert ada["views_per_order"] == pytest.approx(6 / 2)
    assert ada["return_rate"] == pytest.approx(1 / 5)
    assert ada["days_since_contact"] == pytest.approx(2)
    assert ada["last_order_number"] == "SS-200002"
    assert ada["top_categories"] == ("Laptops", "Headphones", "Cables")
    assert ada["top_brands"] == ("Aero", "Quiet", "Link")

    ben = features.loc[profile_shop.ben].to_dict()
    assert (ben["recency_days"], ben["frequency"], ben["monetary"]) == (1, 1, 100)
    assert ben["price_band"] == "budget" and ben["views_per_order"] == 0 and ben["return_rate"] == 0
    assert math.isnan(ben["days_since_contact"]) and ben["top_categories"] == ("Headphones",)

    cy = features.loc[profile_shop.cy].to_dict()
    assert cy["frequency"] == 0 and cy["monetary"] == 0 and cy["tenure_days"] == pytest.approx(200)
    assert all(
        math.isnan(cy[c])
        for c in ("recency_days", "avg_order_value", "views_per_order", "return_rate")
    )
    assert cy["price_band"] is None or pd.isna(cy["price_band"])
    assert cy["top_categories"] == ()


def test_features_ignore_what_happened_after_as_of(
    engine: Engine, profile_shop: ProfileShop
) -> None:
    frames = load_frames(engine)
    earlier = behaviour_features(frames, NOW - pd.Timedelta(days=7), price_edges(frames.products))
    ada = earlier.loc[profile_shop.ada].to_dict()
    assert (ada["frequency"], ada["recency_days"], ada["return_rate"]) == (2, 3, 0)
    assert earlier.loc[profile_shop.ben, "frequency"] == 0  # his order was one day ago


def test_recency_weighted_review_sentiment_by_hand(
    engine: Engine, profile_shop: ProfileShop
) -> None:
    reviews, _ = score_reviews(load_frames(engine).reviews, POLARITY, None)
    per_customer = sentiment_by(reviews, "customer_id", NOW, half_life_days=180)
    w_love, w_bad = 0.5 ** (50 / 180), 0.5 ** (3 / 180)
    ada = per_customer.loc[profile_shop.ada].to_dict()
    assert ada["sentiment"] == pytest.approx((0.8 * w_love - 0.6 * w_bad) / (w_love + w_bad))
    assert ada["review_count"] == 2 and ada["mean_rating"] == pytest.approx(3.5)


def _build(engine: Engine) -> None:
    build_profiles(engine, ProfileConfig(), as_of=AS_OF, scorer=POLARITY)


def test_profile_fetch_returns_the_readable_profile(
    engine: Engine, sessions: sessionmaker[Session], profile_shop: ProfileShop
) -> None:
    _build(engine)
    repository = ProfileRepository(sessions)
    ada = repository.get(profile_shop.ada)
    assert ada is not None
    assert ada.frequency == 2 and ada.monetary == pytest.approx(1020)
    assert ada.top_categories == ("Laptops", "Headphones", "Cables")
    assert ada.last_order_number == "SS-200002" and ada.price_band == "mid"
    w_love, w_bad = 0.5 ** (50 / 180), 0.5 ** (3 / 180)
    assert ada.review_count == 2
    assert ada.sentiment == pytest.approx((0.8 * w_love - 0.6 * w_bad) / (w_love + w_bad))
    assert ada.churn_risk is not None and 0 <= ada.churn_risk <= 1
    assert ada.predicted_value_12m >= 0 and len(ada.vector) > 10
    assert ada.as_of == AS_OF
    cy = repository.get(profile_shop.cy)
    assert cy is not None and cy.churn_risk is None and cy.segment == "window shoppers"
    assert repository.get(999_999) is None
    started = time.perf_counter()
    for _ in range(20):
        repository.get(profile_shop.ada)
    assert (time.perf_counter() - started) / 20 < 0.05  # a primary-key read: a few ms


def test_the_build_writes_segments_and_product_and_brand_insights(
    engine: Engine, sessions: sessionmaker[Session], profile_shop: ProfileShop
) -> None:
    _build(engine)
    with sessions() as session:
        segments = session.scalars(select(CustomerSegmentRow)).all()
        products = {p.product_id: p for p in session.scalars(select(ProductInsightRow))}
        brands = {b.brand: b for b in session.scalars(select(BrandInsightRow))}
    assert sum(s.size for s in segments) == 3
    assert products[profile_shop.laptop].sentiment == pytest.approx(0.8)
    assert products[profile_shop.headphones].mean_rating == pytest.approx(2.0)
    assert set(brands) == {"Aero", "Quiet"} and brands["Aero"].review_count == 1


def test_refresh_before_any_build_says_so(engine: Engine, profile_shop: ProfileShop) -> None:
    with pytest.raises(NotBuiltError):
        refresh_customer(engine, profile_shop.ben, scorer=POLARITY)


def test_incremental_refresh_equals_a_full_rebuild_for_that_customer(
    engine: Engine, sessions: sessionmaker[Session], profile_shop: ProfileShop
) -> None:
    _build(engine)
    later = AS_OF + timedelta(days=1)
    ben, earbuds = profile_shop.ben, profile_shop.earbuds
    add_order(
        sessions,
        customer_id=ben,
        product_id=earbuds,
        number="SS-200099",
        days_ago=-0.5,
        price="200",
    )
    add_review(
        sessions, customer_id=ben, product_id=earbuds, text="great again", rating=5, days_ago=-0.75
    )
    refresh_customer(engine, profile_shop.ben, as_of=later, scorer=POLARITY)
    refreshed = ProfileRepository(sessions).get(profile_shop.ben)
    assert refreshed is not None and refreshed.frequency == 2 and refreshed.review_count == 1
    assert_as_full_rebuild(engine, refreshed, POLARITY)

    models, _ = load_models(engine)
    frames = load_frames(engine)
    moment = pd.Timestamp(later)
    inputs = stored_inputs(frames, moment, models, POLARITY)
    per_product, per_brand = product_insights(
        inputs.reviews, inputs.review_topics, frames.products, models, moment
    )
    with sessions() as session:
        earbuds_row = session.get(ProductInsightRow, earbuds)
        aero_row = session.get(BrandInsightRow, "Aero")
    assert earbuds_row is not None and aero_row is not None
    assert earbuds_row.sentiment == pytest.approx(per_product.at[earbuds, "sentiment"])
    assert aero_row.sentiment == pytest.approx(per_brand.at["Aero", "sentiment"])
    assert aero_row.review_count == 2


def test_a_refresh_leaves_other_customers_alone(
    engine: Engine, sessions: sessionmaker[Session], profile_shop: ProfileShop
) -> None:
    _build(engine)
    repository = ProfileRepository(sessions)
    before = repository.get(profile_shop.ada)
    add_order(
        sessions,
        customer_id=profile_shop.ben,
        product_id=profile_shop.cable,
        number="SS-200098",
        days_ago=0,
        price="10",
    )
    refresh_customer(engine, profile_shop.ben, as_of=AS_OF, scorer=POLARITY)
    assert repository.get(profile_shop.ada) == before


def test_a_build_defaults_to_the_shops_latest_activity(
    engine: Engine, profile_shop: ProfileShop
) -> None:
    summary = build_profiles(engine, scorer=POLARITY)
    assert summary.as_of == AS_OF - timedelta(days=1)  # Ben's order, the latest event
    assert summary.customers == 3 and summary.reviews == 2
    assert sum(summary.segments.values()) == 3


def test_the_cli_builds_then_refreshes_one_customer(
    engine: Engine, sessions: sessionmaker[Session], profile_shop: ProfileShop
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    refused = runner.invoke(app, ["build", "profiles", "--database-url", url, "--customer", "1"])
    assert isinstance(refused.exception, NotBuiltError)
    built = runner.invoke(
        app, ["build", "profiles", "--database-url", url, "--gamma", "0.0", "--vader"]
    )
    assert built.exit_code == 0, built.output
    assert "3 profiles as of 2026-11-19 12:00" in built.output
    ben = str(profile_shop.ben)
    refreshed = runner.invoke(app, ["build", "profiles", "--database-url", url, "--customer", ben])
    assert refreshed.exit_code == 0, refreshed.output
    profile = ProfileRepository(sessions).get(profile_shop.ben)
    assert profile is not None and profile.frequency == 1


def test_if_missing_rebuilds_only_what_is_missing_or_outdated(
    engine: Engine, profile_shop: ProfileShop, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    build = ["build", "profiles", "--database-url", url, "--vader", "--if-missing"]

    first = runner.invoke(app, build)
    again = runner.invoke(app, build)
    monkeypatch.setattr("insight.profiles.store.MODELS_FORMAT", MODELS_FORMAT + 1)
    after_upgrade = runner.invoke(app, build)

    assert "3 profiles as of" in first.output
    assert "nothing to do" in again.output
    assert "3 profiles as of" in after_upgrade.output  # built by an older version: rebuilt
