"""The composition root: what the action server is built from, and its clock."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from actions.services import build_services, clock
from insight.emotion.detector import TransformerEmotionDetector
from insight.faq.index import FaissFaqIndex
from insight.profiles.refresh import BackgroundRefresh
from insight.recommend.service import HybridRecommender
from insight.settings import Settings
from insight.support.catalog import CatalogRecommender


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

    assert isinstance(built.emotion, TransformerEmotionDetector)
    assert isinstance(built.recommender, HybridRecommender)
    assert isinstance(built.recommender.fallback, CatalogRecommender)
    assert not built.recommender.trained  # nothing built in this cache: the catalogue answers
    assert isinstance(built.faq, FaissFaqIndex)
    assert built.support.return_window_days == 30
    assert isinstance(built.support.profile_changes, BackgroundRefresh)  # refreshed off-turn
    assert built.support.today().isoformat() == "2026-11-20"
    assert built.currency == "EUR"
