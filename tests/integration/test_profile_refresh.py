"""Profiles follow the event paths: CSV imports and the assistant's order operations refresh the
customers they touch (equal to a full rebuild for them), without a build, with an old one, and
without waiting on the request path. SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import logging
import pickle
import threading
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import Order, ProfileModelRow, ReviewInsightRow, Shipment, ShipmentStatus
from insight.emotion.polarity import TransformerPolarity
from insight.emotion.train import build_emotion_model
from insight.importers.csv_import import import_csv
from insight.profiles import NotBuiltError, ProfileConfig, ProfileRepository, build_profiles
from insight.profiles import refresh as refresh_module
from insight.profiles.contracts import RecordedChanges
from insight.profiles.refresh import (
    BackgroundRefresh,
    ProfileRefresher,
    rebuild_is_cheaper,
    refresh_after_import,
)
from insight.profiles.sentiment import VaderBaseline
from insight.profiles.store import load_models
from insight.settings import Settings
from insight.support.orders import OrderSupport, RefundMethod, Refused, ReturnStarted
from tests.profile_shop import (
    AS_OF,
    ProfileShop,
    add_review,
    assert_as_full_rebuild,
    build_profile_shop,
)

VADER = VaderBaseline()  # a scorer a refresh can name without an emotion model
ORDER_COLUMNS = (
    "order_number,sku,quantity,unit_price,customer_ref,placed_at,status,currency,"
    "payment_method,ship_name,ship_street,ship_city,ship_postcode,ship_country"
)


@pytest.fixture
def profile_shop(sessions: sessionmaker[Session]) -> ProfileShop:
    return build_profile_shop(sessions)


def _build(engine: Engine) -> None:
    build_profiles(engine, ProfileConfig(gamma=0.0), as_of=AS_OF, scorer=VADER)


def _csv(tmp_path: Path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import_for_ben(sessions: sessionmaker[Session], tmp_path: Path) -> frozenset[int]:
    placed = (AS_OF + timedelta(hours=6)).isoformat()
    orders = _csv(
        tmp_path,
        "orders.csv",
        ORDER_COLUMNS,
        f"SS-300001,HP-2,1,200,P-BEN,{placed},delivered,EUR,card,Ben,1 Road,Berlin,10115,DE",
    )
    reviews = _csv(
        tmp_path,
        "reviews.csv",
        "customer_ref,sku,rating,text,created_at",
        f"P-BEN,HP-2,5,Superb sound and comfortable,{placed}",
    )
    imported = import_csv(sessions, "orders", orders)
    reviewed = import_csv(sessions, "reviews", reviews)
    assert imported.errors == () and reviewed.errors == ()
    return imported.customer_ids | reviewed.customer_ids


def test_an_import_refreshes_its_customers_like_a_full_rebuild(
    engine: Engine, sessions: sessionmaker[Session], profile_shop: ProfileShop, tmp_path: Path
) -> None:
    _build(engine)
    repository = ProfileRepository(sessions)
    ada_before = repository.get(profile_shop.ada)
    changed = _import_for_ben(sessions, tmp_path)
    assert changed == {profile_shop.ben}

    outcome = refresh_after_import(engine, changed, cache_dir=tmp_path)

    assert outcome.action == "refreshed" and outcome.customers == 1
    ben = repository.get(profile_shop.ben)
    assert ben is not None and ben.frequency == 2 and ben.review_count == 1
    assert ben.as_of == AS_OF + timedelta(hours=6)  # the import's events, not the build's time
    assert_as_full_rebuild(engine, ben, VADER)
    assert repository.get(profile_shop.ada) == ada_before


def test_a_large_import_rebuilds_everything_with_the_builds_weights(
    engine: Engine,
    sessions: sessionmaker[Session],
    profile_shop: ProfileShop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _build(engine)
    changed = _import_for_ben(sessions, tmp_path)
    monkeypatch.setattr(refresh_module, "REFRESH_SECONDS", 1_000.0)  # as if refreshing were slow

    outcome = refresh_after_import(engine, changed, cache_dir=tmp_path)

    assert outcome.action == "rebuilt" and outcome.customers == 3
    with engine.connect() as connection:
        assert connection.scalar(select(func.count(ProfileModelRow.id))) == 1
    models, scorer = load_models(engine)
    assert models.config.gamma == 0.0 and scorer == VADER.name  # no emotion model in tmp_path
    ben = ProfileRepository(sessions).get(profile_shop.ben)
    assert ben is not None and ben.frequency == 2


def test_rebuild_is_cheaper_beyond_the_break_even() -> None:
    assert not rebuild_is_cheaper(100, 12_000)  # 20 s of refreshes < 18 s + 3.7 s
    assert rebuild_is_cheaper(110, 12_000)
    assert not rebuild_is_cheaper(1_500, 1_000_000) and rebuild_is_cheaper(1_700, 1_000_000)


def test_an_import_before_any_build_leaves_profiles_alone(
    engine: Engine, sessions: sessionmaker[Session], profile_shop: ProfileShop, tmp_path: Path
) -> None:
    changed = _import_for_ben(sessions, tmp_path)

    outcome = refresh_after_import(engine, changed, cache_dir=tmp_path)

    assert outcome.action == "not built" and "no profile build yet" in outcome.message
    assert ProfileRepository(sessions).count() == 0


def test_models_from_an_older_version_count_as_not_built(
    engine: Engine, profile_shop: ProfileShop, tmp_path: Path
) -> None:
    _build(engine)
    models, _ = load_models(engine)
    older = pickle.dumps(dataclasses.replace(models, format_version=models.format_version - 1))
    with engine.begin() as connection:
        connection.execute(update(ProfileModelRow).values(payload=older))

    with pytest.raises(NotBuiltError, match="older version"):
        ProfileRefresher(engine, tmp_path).refresh(profile_shop.ben)
    outcome = refresh_after_import(engine, {profile_shop.ben}, cache_dir=tmp_path)
    assert outcome.action == "not built"


def _delivered(sessions: sessionmaker[Session], number: str, days_ago: float) -> None:
    with sessions() as session:
        order = session.scalar(select(Order).where(Order.number == number))
        assert order is not None
        delivered = AS_OF - timedelta(days=days_ago)
        session.add(
            Shipment(
                order_id=order.id,
                carrier="DHL",
                tracking_number=f"T-{number}",
                status=ShipmentStatus.DELIVERED,
                shipped_at=delivered - timedelta(days=2),
                eta=delivered.date(),
                delivered_at=delivered,
            )
        )
        session.commit()


def test_a_return_in_the_assistant_refreshes_the_return_rate(
    engine: Engine, sessions: sessionmaker[Session], profile_shop: ProfileShop, tmp_path: Path
) -> None:
    _build(engine)
    _delivered(sessions, "SS-200002", days_ago=8)
    before = ProfileRepository(sessions).get(profile_shop.ada)
    background = BackgroundRefresh(ProfileRefresher(engine, tmp_path).refresh, delay_s=0.0)
    support = OrderSupport(sessions, 30, clock=lambda: AS_OF, profile_changes=background)

    started = support.start_return(
        profile_shop.ada, "SS-200002", "the link cables", "broken", RefundMethod.STORE_CREDIT
    )

    assert isinstance(started, ReturnStarted) and started.quantity == 2
    assert background.wait_idle(timeout_s=60)
    after = ProfileRepository(sessions).get(profile_shop.ada)
    assert before is not None and after is not None
    assert before.return_rate == pytest.approx(1 / 5)  # one headphone of five units
    assert after.return_rate == pytest.approx(3 / 5)  # and now both cables
    assert_as_full_rebuild(engine, after, VADER)


def test_only_committed_changes_are_reported(
    sessions: sessionmaker[Session], profile_shop: ProfileShop
) -> None:
    changes = RecordedChanges()
    support = OrderSupport(sessions, 30, clock=lambda: AS_OF, profile_changes=changes)

    assert isinstance(support.cancel(profile_shop.ada, "SS-200001"), Refused)  # delivered
    assert not isinstance(support.cancel(profile_shop.ben, "SS-200004"), Refused)

    assert changes.customer_ids == [profile_shop.ben]


def test_the_request_path_does_not_wait_for_a_refresh() -> None:
    release = threading.Event()
    refreshed: list[int] = []

    def slow_refresh(customer_id: int) -> None:
        release.wait(timeout=10)
        refreshed.append(customer_id)

    background = BackgroundRefresh(slow_refresh, delay_s=0.0)
    started = time.perf_counter()
    for customer_id in (7, 8, 7):
        background.changed(customer_id)
    assert time.perf_counter() - started < 0.05
    assert not background.wait_idle(timeout_s=0.1)
    release.set()
    assert background.wait_idle(timeout_s=10)
    assert refreshed == [7, 8]  # the repeat was folded into one refresh


def test_the_worker_survives_no_build_and_failures(
    engine: Engine, profile_shop: ProfileShop, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=refresh_module.__name__)
    background = BackgroundRefresh(ProfileRefresher(engine, tmp_path).refresh, delay_s=0.0)
    background.changed(profile_shop.ben)
    assert background.wait_idle(timeout_s=30)
    assert "no profile build yet" in caplog.text

    def failing(customer_id: int) -> None:
        raise RuntimeError(f"boom {customer_id}")

    flaky = BackgroundRefresh(failing, delay_s=0.0)
    flaky.changed(1)
    assert flaky.wait_idle(timeout_s=10)
    flaky.changed(2)
    assert flaky.wait_idle(timeout_s=10)
    assert "customer 1 failed" in caplog.text and "customer 2 failed" in caplog.text


@pytest.fixture(scope="module")
def transformer() -> TransformerPolarity:
    """The built emotion model's polarity head (built now when the cache has none)."""
    build = build_emotion_model(Settings.from_env().cache_dir)
    scorer = TransformerPolarity(build.path)
    scorer.warm_up()
    return scorer


@pytest.mark.slow
def test_the_transformer_scores_reviews_in_batches_and_refreshes_reuse_it(
    engine: Engine,
    sessions: sessionmaker[Session],
    profile_shop: ProfileShop,
    transformer: TransformerPolarity,
) -> None:
    texts = ["Love it, works perfectly", "Broke after a day, awful", "Love it, works perfectly"]
    batched = transformer.polarity(texts)
    alone = [transformer.polarity([text])[0] for text in texts]
    np.testing.assert_allclose(batched, alone, atol=1e-4)
    assert batched[0] == batched[2] and batched[0] > 0.3 > -0.3 > batched[1]

    summary = build_profiles(engine, ProfileConfig(), as_of=AS_OF, scorer=transformer)
    assert summary.scorer == transformer.name
    with engine.connect() as connection:
        names = set(connection.scalars(select(ReviewInsightRow.scorer)))
    assert names == {transformer.name}

    add_review(
        sessions,
        customer_id=profile_shop.ben,
        product_id=profile_shop.earbuds,
        text="crackles and hisses, sending it back",
        rating=1,
        days_ago=0,
    )
    ProfileRefresher(engine, Settings.from_env().cache_dir).refresh(profile_shop.ben)
    ben = ProfileRepository(sessions).get(profile_shop.ben)
    assert ben is not None and ben.sentiment is not None and ben.sentiment < 0
    assert_as_full_rebuild(engine, ben, transformer)
