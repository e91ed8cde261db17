"""The composition root: what the action server is built from, and its clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from actions.services import build_services, clock
from actions.warm_up import ActionWarmUp
from insight.faq.contracts import FakeFaqIndex
from insight.faq.index import FaissFaqIndex
from insight.profiles.refresh import BackgroundRefresh
from insight.recommend.service import HybridRecommender
from insight.settings import Settings
from insight.support.catalog import CatalogRecommender
from tests.action_kit import Store, run, tracker


def _settings(tmp_path: Path, **extra: str) -> Settings:
    return Settings.from_env(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'shop.db'}", "SHOPSENSE_CACHE": str(tmp_path)}
        | extra
    )


def test_the_clock_is_pinned_by_shopsense_now_or_real(tmp_path: Path) -> None:
    pinned = clock(_settings(tmp_path, SHOPSENSE_NOW="2024-09-24T10:00:00"))
    real = clock(_settings(tmp_path))

    assert pinned() == datetime(2024, 9, 24, 10, 0)
    assert real().tzinfo is None
    assert abs((real() - datetime.now()).total_seconds()) < 24 * 3600


def test_services_are_wired_from_settings_without_loading_any_model(tmp_path: Path) -> None:
    built = build_services(_settings(tmp_path, SHOPSENSE_NOW="2026-11-20T12:00:00"))

    assert isinstance(built.recommender, HybridRecommender)
    assert isinstance(built.recommender.fallback, CatalogRecommender)
    assert not built.recommender.trained  # nothing built in this cache: the catalogue answers
    assert isinstance(built.faq, FaissFaqIndex)
    assert built.support.return_window_days == 30
    assert isinstance(built.support.profile_changes, BackgroundRefresh)  # refreshed off-turn
    assert built.support.today().isoformat() == "2026-11-20"
    assert built.currency == "EUR"


class _Counting:
    """Counts its warm-ups instead of loading anything."""

    loaded = 0

    def warm_up(self) -> None:
        self.loaded += 1


class _Faq(_Counting, FakeFaqIndex):
    pass


class _Recommender(_Counting, CatalogRecommender):
    pass


def test_the_warm_up_action_loads_what_gateway_turns_need(store: Store) -> None:
    faq, recommender = _Faq([]), _Recommender(store.sessions)
    shop = replace(store.services, faq=faq, recommender=recommender)

    events, messages = run(ActionWarmUp(lambda: shop), tracker())

    assert (events, messages) == ([], [])
    assert (faq.loaded, recommender.loaded) == (1, 1)
