"""The recommender over a real shop database: the cached build, the assistant's port and the
evaluation command, on SQLite and PostgreSQL (fake encoder; one test loads the real MiniLM)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from insight.db.engine import make_sessionmaker
from insight.db.models import Product
from insight.embeddings import FakeEncoder, MiniLMEncoder
from insight.profiles.contracts import FakeProfileLookup
from insight.recommend.build import ensure_recommend_artefact, latest_artefact
from insight.recommend.contracts import Reason, ReasonKind
from insight.recommend.evaluate import run_recommend_eval
from insight.recommend.model import RecommendConfig
from insight.recommend.service import HybridRecommender
from insight.settings import Settings
from insight.support.catalog import CatalogRecommender, ProductQuery
from tests.factories import TODAY
from tests.profile_shop import add_order
from tests.recommend_shop import RecommendShop, build_recommend_shop

CONFIG = RecommendConfig(factors=4)


@pytest.fixture
def shop(sessions: sessionmaker[Session]) -> RecommendShop:
    return build_recommend_shop(sessions)


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _build(engine: Engine, cache: Path) -> Path:
    return ensure_recommend_artefact(engine, cache, FakeEncoder(), CONFIG).path


def _recommender(engine: Engine, cache: Path) -> HybridRecommender:
    sessions = make_sessionmaker(engine)
    return HybridRecommender(
        sessions,
        FakeProfileLookup([]),
        cache,
        _url(engine),
        fallback=CatalogRecommender(sessions),
    )


def _names(suggestions: list) -> list[str]:  # type: ignore[type-arg]
    return [suggestion.product.name for suggestion in suggestions]


def test_the_build_is_cached_until_the_shop_changes(
    engine: Engine, shop: RecommendShop, tmp_path: Path
) -> None:
    first = ensure_recommend_artefact(engine, tmp_path, FakeEncoder(), CONFIG)
    again = ensure_recommend_artefact(engine, tmp_path, FakeEncoder(), CONFIG)
    with engine.begin() as connection:  # stock is read live, so it is not an input
        connection.execute(update(Product).values(stock=Product.stock + 1))
    restocked = ensure_recommend_artefact(engine, tmp_path, FakeEncoder(), CONFIG)
    add_order(
        make_sessionmaker(engine),
        customer_id=shop.cleo,
        product_id=shop.products["Link USB-C Cable"],
        number="SS-300001",
        days_ago=0,
        price="9.90",
    )
    after_order = ensure_recommend_artefact(engine, tmp_path, FakeEncoder(), CONFIG)
    other_config = ensure_recommend_artefact(engine, tmp_path, FakeEncoder(), RecommendConfig())

    assert first.built and not again.built and not restocked.built
    assert again.path == restocked.path == first.path
    assert after_order.built and after_order.fingerprint != first.fingerprint
    assert other_config.fingerprint != after_order.fingerprint
    assert latest_artefact(tmp_path, _url(engine)) == other_config.path
    assert latest_artefact(tmp_path, "sqlite:///some/other/shop.db") is None


def test_without_an_artefact_the_catalogue_answers(
    engine: Engine, shop: RecommendShop, tmp_path: Path
) -> None:
    recommender = _recommender(engine, tmp_path)
    catalogue = CatalogRecommender(make_sessionmaker(engine))
    query = ProductQuery(terms=("laptop",), customer_id=shop.cleo)

    assert recommender.suggest(query, 3) == catalogue.suggest(query, 3)
    assert recommender.similar(shop.products["Aero 14 Laptop"], 2) == catalogue.similar(
        shop.products["Aero 14 Laptop"], 2
    )
    assert recommender.complements("SS-100004", shop.cleo) == []
    assert not recommender.trained


def test_suggestions_leave_out_what_was_bought_returned_or_is_sold_out(
    engine: Engine, shop: RecommendShop, tmp_path: Path
) -> None:
    _build(engine, tmp_path)
    recommender = _recommender(engine, tmp_path)

    for_cleo = _names(recommender.suggest(ProductQuery(customer_id=shop.cleo), k=20))
    for_a_guest = _names(recommender.suggest(ProductQuery(), k=20))

    assert recommender.trained
    assert {"Aero 14 Laptop", "Quiet 2 Headphones"} & set(for_cleo) == set()  # bought, returned
    assert {"Zen 13 Ultrabook", "Link HDMI Cable"} & set(for_cleo + for_a_guest) == set()
    assert "Aero 14 Laptop" in for_a_guest
    assert len(for_cleo) == 7  # 11 products, 2 sold out, 2 hers


def test_every_suggestion_says_why(engine: Engine, shop: RecommendShop, tmp_path: Path) -> None:
    _build(engine, tmp_path)
    recommender = _recommender(engine, tmp_path)
    laptop_person = shop.laptop_people[0]

    for_them = recommender.suggest(ProductQuery(customer_id=laptop_person), k=3)
    for_a_guest = recommender.suggest(ProductQuery(), k=3)

    related = {ReasonKind.BOUGHT, ReasonKind.VIEWED}
    assert {s.reason.kind for s in for_them} & related
    assert all(s.reason.anchor for s in for_them if s.reason.kind in related)
    assert {s.reason for s in for_a_guest} == {Reason(ReasonKind.POPULAR)}


def test_a_category_within_a_budget_for_a_customer(
    engine: Engine, shop: RecommendShop, tmp_path: Path
) -> None:
    _build(engine, tmp_path)
    recommender = _recommender(engine, tmp_path)

    laptops = recommender.suggest(
        ProductQuery(terms=("laptop",), max_price=Decimal("950"), customer_id=shop.cleo), k=3
    )
    nothing = recommender.suggest(ProductQuery(terms=("laptop",), max_price=Decimal("50")), k=3)

    assert _names(laptops) == ["Nimbus 14 Laptop Air"]  # Aero 14 is hers, the rest too dear
    assert nothing == []


def test_look_alikes_and_complements_of_an_order(
    engine: Engine, shop: RecommendShop, tmp_path: Path
) -> None:
    _build(engine, tmp_path)
    recommender = _recommender(engine, tmp_path)
    laptop = shop.products["Aero 14 Laptop"]

    alike = recommender.similar(laptop, k=2)
    goes_with = recommender.complements("SS-100004", shop.cleo, k=2)  # her laptop + headphones
    not_hers = recommender.complements(shop.support.small.ben_order, shop.cleo, k=2)

    assert set(_names(alike)) == {"Aero 15 Laptop Pro", "Nimbus 14 Laptop Air"}
    assert {s.reason for s in alike} == {Reason(ReasonKind.SIMILAR, "Aero 14 Laptop")}
    assert goes_with
    assert all(s.product.category in {"Cables", "Speakers"} for s in goes_with)
    assert all(s.reason.kind is ReasonKind.GOES_WITH for s in goes_with)
    assert not_hers == []


def test_the_evaluation_command_reads_the_shop_and_records_the_table(
    engine: Engine, shop: RecommendShop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPSENSE_EVAL_RESULTS", str(tmp_path))
    settings = Settings.from_env(
        {"DATABASE_URL": _url(engine), "SHOPSENSE_CACHE": str(tmp_path / "cache")}
    )

    report = run_recommend_eval(
        settings, pd.Timestamp(TODAY - timedelta(days=45)), encoder=FakeEncoder()
    )

    recorded = json.loads((tmp_path / "latest.json").read_text())["recommend"]
    assert report.n_warm == 12  # every group shopper bought once before the cutoff, once after
    assert set(recorded["hybrid"]) == {"hr_at_10", "ndcg_at_10"}
    assert recorded["n"] == 12


@pytest.mark.slow
def test_real_minilm_finds_look_alikes_by_their_text(
    engine: Engine, shop: RecommendShop, tmp_path: Path
) -> None:
    ensure_recommend_artefact(engine, tmp_path, MiniLMEncoder(threads=1), CONFIG)
    recommender = _recommender(engine, tmp_path)

    alike = recommender.similar(shop.products["Quiet 3 Headphones Pro"], k=1)

    assert alike[0].product.category == "Headphones"
