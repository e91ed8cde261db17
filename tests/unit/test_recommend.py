"""The recommender's parts on a hand-made shop: tiny vectors, two kinds of shoppers, no database.

Eight products in four categories. Laptop people (segment "premium shoppers") buy a laptop, then
a cable, and look at another laptop; audio people ("bargain hunters") buy headphones, then a
speaker. Product vectors are one axis per category plus a small axis of their own, so products of
one category are alike (cosine about 0.99) and others are not (0).
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from insight.embeddings import normalise_rows
from insight.recommend.bench import run_recommend_bench
from insight.recommend.contracts import Reason, ReasonKind
from insight.recommend.evaluate import (
    SplitData,
    evaluate,
    hit_and_ndcg,
    next_orders,
)
from insight.recommend.interactions import EVENT_WEIGHTS, ShopInteractions, typed
from insight.recommend.model import CategoryTransitions, RecommendConfig, train
from insight.recommend.ranking import History, Ranker, Taste

NOW = pd.Timestamp("2026-11-20 12:00")
PRODUCTS = (
    ("Aero 14 Laptop", "Laptops", "Aero", 799.0),
    ("Aero 15 Laptop Pro", "Laptops", "Aero", 999.0),
    ("Nimbus 14 Laptop Air", "Laptops", "Nimbus", 899.0),
    ("Quiet 2 Headphones", "Headphones", "Quiet", 99.0),
    ("Quiet 3 Headphones Pro", "Headphones", "Quiet", 149.0),
    ("Link USB-C Cable", "Cables", "Link", 10.0),
    ("Boom Bass Speaker", "Speakers", "Boom", 59.0),
    ("Boom Party Speaker", "Speakers", "Boom", 129.0),
)
ID = {name: number for number, (name, *_) in enumerate(PRODUCTS, start=1)}
AXIS = {"Laptops": 0, "Headphones": 1, "Cables": 2, "Speakers": 3}
Event = tuple[int, str, str, float]  # customer, product name, kind, days before NOW


def _vectors() -> np.ndarray:
    rows = np.zeros((len(PRODUCTS), 8), dtype=np.float32)
    for row, (_, category, _, _) in enumerate(PRODUCTS):
        rows[row, AXIS[category]] = 1.0
        rows[row, 4 + row % 4] = 0.1
    return normalise_rows(rows)


def _shop(events: list[Event], segments: dict[int, str] | None = None) -> ShopInteractions:
    frame = pd.DataFrame(
        [(c, ID[name], kind, NOW - pd.Timedelta(days=days)) for c, name, kind, days in events],
        columns=["customer_id", "product_id", "kind", "at"],
    )
    frame["weight"] = frame["kind"].map(EVENT_WEIGHTS)
    return typed(
        ShopInteractions(
            products=pd.DataFrame(
                [(ID[n], n, c, b, p, f"{n} by {b}") for n, c, b, p in PRODUCTS],
                columns=["product_id", "name", "category", "brand", "price", "description"],
            ),
            events=frame,
            returns=pd.DataFrame({"customer_id": [], "product_id": [], "at": []}),
            segments=pd.DataFrame(
                list((segments or {}).items()), columns=["customer_id", "segment"]
            ),
            sentiment=pd.DataFrame({"product_id": [], "sentiment": [], "reviews": []}),
        )
    )


def _population() -> tuple[list[Event], dict[int, str]]:
    laptops = ("Aero 14 Laptop", "Aero 15 Laptop Pro", "Nimbus 14 Laptop Air")
    audio = (
        ("Quiet 2 Headphones", "Boom Bass Speaker"),
        ("Quiet 3 Headphones Pro", "Boom Party Speaker"),
    )
    events: list[Event] = []
    segments: dict[int, str] = {}
    for n in range(6):
        laptop, audio_people = 1 + n, 101 + n
        events += [
            (laptop, laptops[n % 3], "purchase", 60 - n),
            (laptop, "Link USB-C Cable", "purchase", 30 - n),
            (laptop, laptops[(n + 1) % 3], "product_view", 70 - n),
            (audio_people, audio[n % 2][0], "purchase", 60 - n),
            (audio_people, audio[n % 2][1], "purchase", 30 - n),
        ]
        segments |= {laptop: "premium shoppers", audio_people: "bargain hunters"}
    return events, segments


@pytest.fixture(scope="module")
def ranker() -> Ranker:
    events, segments = _population()
    config = RecommendConfig(factors=4, segment_prior=2.0)  # segments here are a dozen orders
    return Ranker(train(_shop(events, segments), _vectors(), config))


def _history(ranker: Ranker, events: list[tuple[str, str]]) -> History:
    frame = pd.DataFrame(
        [(ID[name], kind, NOW) for name, kind in events], columns=["product_id", "kind", "at"]
    )
    return History.from_events(ranker.model, frame, NOW, 365.0)


def _names(ranker: Ranker, items: list[int]) -> list[str]:
    return [ranker.model.catalogue.names[item] for item in items]


def _positions(ranker: Ranker, *names: str) -> np.ndarray:
    return ranker.model.catalogue.positions([ID[name] for name in names])


# metrics and the time split


def test_hit_rate_and_ndcg_by_hand() -> None:
    both = hit_and_ndcg([5, 3, 9, 1], {3, 9})
    assert both.hr_at_10 == 1.0
    assert both.ndcg_at_10 == pytest.approx(
        (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    )
    assert hit_and_ndcg([5, 3], {3}).ndcg_at_10 == pytest.approx(1 / math.log2(3))
    assert hit_and_ndcg(list(range(20)), {15}) == hit_and_ndcg([], {15})
    assert hit_and_ndcg(list(range(20)), {15}).hr_at_10 == 0.0


def test_the_next_order_after_the_cutoff_holds_only_products_new_to_the_customer() -> None:
    shop = _shop(
        [
            (1, "Aero 14 Laptop", "purchase", 50),
            (1, "Aero 14 Laptop", "purchase", 10),  # bought again: not held out
            (1, "Link USB-C Cable", "purchase", 10),
            (1, "Boom Bass Speaker", "purchase", 5),  # a later order: not the next one
            (2, "Quiet 2 Headphones", "purchase", 40),
            (2, "Quiet 2 Headphones", "purchase", 8),  # only a repeat: not tested
            (3, "Boom Party Speaker", "product_view", 40),
            (3, "Boom Party Speaker", "purchase", 9),
        ]
    )

    held_out = next_orders(shop, NOW - pd.Timedelta(days=20))

    assert held_out == {
        1: frozenset({ID["Link USB-C Cable"]}),
        3: frozenset({ID["Boom Party Speaker"]}),
    }


def test_category_transitions_by_hand() -> None:
    # customer 0: viewed A, bought A, bought B; customer 1: bought B, viewed C
    transitions = CategoryTransitions(prior=0.0).fit(
        customers=np.array([0, 0, 0, 1, 1]),
        categories=np.array([0, 0, 1, 1, 2]),
        purchased=np.array([False, True, True, True, False]),
        prior_mass=np.full(3, 1 / 3, dtype=np.float32),
    )

    assert transitions.transitions_ == pytest.approx(
        np.array([[1 / 3, 2 / 3, 0], [1, 0, 0], [0, 1, 0]]), abs=1e-6
    )


# filters, exclusions and reasons


def test_category_name_and_budget_filters_and_exclusions(ranker: Ranker) -> None:
    def allowed(
        terms: tuple[str, ...], max_price: Decimal | None = None, excluded: object = ()
    ) -> set[str]:
        mask = ranker.allowed(terms=terms, max_price=max_price, excluded=excluded)  # type: ignore[arg-type]
        return set(_names(ranker, np.flatnonzero(mask).tolist()))

    assert allowed(terms=("laptop",), max_price=Decimal("900")) == {
        "Aero 14 Laptop",
        "Nimbus 14 Laptop Air",
    }
    assert allowed(terms=("headphone", "pro")) == {
        "Quiet 2 Headphones",
        "Quiet 3 Headphones Pro",
        "Aero 15 Laptop Pro",
    }
    assert allowed(terms=("speaker",), excluded=_positions(ranker, "Boom Bass Speaker")) == {
        "Boom Party Speaker"
    }


def test_suggestions_leave_out_what_is_not_allowed_and_name_what_they_relate_to(
    ranker: Ranker,
) -> None:
    bought = _positions(ranker, "Aero 15 Laptop Pro")
    history = _history(ranker, [("Aero 15 Laptop Pro", "purchase")])

    picks = ranker.for_customer(history, Taste(), ranker.allowed(excluded=bought), k=3)

    assert "Aero 15 Laptop Pro" not in _names(ranker, [p.item for p in picks])
    laptops = [p for p in picks if ranker.model.catalogue.names[p.item].endswith(("Laptop", "Air"))]
    assert laptops
    assert {p.reason for p in laptops} == {Reason(ReasonKind.BOUGHT, "Aero 15 Laptop Pro")}


def test_a_product_only_looked_at_is_named_as_such(ranker: Ranker) -> None:
    history = _history(ranker, [("Quiet 3 Headphones Pro", "product_view")])

    picks = ranker.for_customer(history, Taste(), ranker.allowed(terms=("quiet 2",)), k=1)

    assert picks[0].reason == Reason(ReasonKind.VIEWED, "Quiet 3 Headphones Pro")


def test_without_a_related_purchase_the_reason_is_taste_segment_or_popularity(
    ranker: Ranker,
) -> None:
    speakers = ranker.allowed(terms=("speaker",))
    nothing = History.empty()

    def reason(taste: Taste) -> Reason:
        return ranker.for_customer(nothing, taste, speakers, k=1)[0].reason

    assert reason(Taste(categories=("Speakers",))) == Reason(ReasonKind.FAVOURITE, "Speakers")
    assert reason(Taste(segment="bargain hunters")) == Reason(ReasonKind.SEGMENT)
    assert reason(Taste(segment="a segment of no build")) == Reason(ReasonKind.POPULAR)
    assert reason(Taste()) == Reason(ReasonKind.POPULAR)


def test_new_customers_get_what_their_segment_buys(ranker: Ranker) -> None:
    everything = ranker.allowed()

    def top_categories(segment: str) -> set[str]:
        picks = ranker.for_customer(History.empty(), Taste(segment=segment), everything, k=3)
        catalogue = ranker.model.catalogue
        return {catalogue.category_names[catalogue.categories[p.item]] for p in picks}

    assert top_categories("premium shoppers") <= {"Laptops", "Cables"}
    assert top_categories("bargain hunters") <= {"Headphones", "Speakers"}


# the other query modes


def test_look_alikes_are_of_the_same_category_and_never_the_product_itself(ranker: Ranker) -> None:
    item = int(_positions(ranker, "Aero 14 Laptop")[0])

    picks = ranker.similar(item, ranker.allowed(), k=2)

    assert set(_names(ranker, [p.item for p in picks])) == {
        "Aero 15 Laptop Pro",
        "Nimbus 14 Laptop Air",
    }
    assert {p.reason for p in picks} == {Reason(ReasonKind.SIMILAR, "Aero 14 Laptop")}


def test_complements_of_an_order_come_from_other_categories(ranker: Ranker) -> None:
    basket = _positions(ranker, "Aero 14 Laptop")

    picks = ranker.complements(basket, ranker.allowed(), k=3)

    names = _names(ranker, [p.item for p in picks])
    assert names[0] == "Link USB-C Cable"
    assert not any("Laptop" in name for name in names)
    assert picks[0].reason == Reason(ReasonKind.GOES_WITH, "Aero 14 Laptop")


# evaluation and benchmark records


def test_the_evaluation_scores_every_method_in_the_results_shape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPSENSE_EVAL_RESULTS", str(tmp_path))
    events, segments = _population()
    cutoff = NOW - pd.Timedelta(days=40)
    shop = _shop(events, segments)
    split = SplitData(cutoff, shop.until(cutoff), {}, next_orders(shop, cutoff))

    report = evaluate(split, _vectors(), RecommendConfig(factors=4))
    results = report.as_results()

    assert report.n_warm == 12
    assert report.warm["hybrid"].hr_at_10 == 1.0  # 8 products, at most 2 bought: all fit in 10
    for method in ("popularity", "als", "content", "hybrid"):
        assert set(results[method]) == {"hr_at_10", "ndcg_at_10"}
    assert "taste model" in str(results["interactions"])


def test_benchmark_rows_are_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPSENSE_BENCH_RESULTS", str(tmp_path))

    rows = run_recommend_bench((300,), queries=5)

    recorded = json.loads((tmp_path / "latest.json").read_text())["recommend_ms"]
    assert recorded == rows
    assert rows[0]["products"] == 300
    assert rows[0]["p50"] > 0
    assert rows[0]["train_s"] > 0
