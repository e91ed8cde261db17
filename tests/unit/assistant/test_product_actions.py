"""Suggestions, look-alikes, stock and price answers from the seeded catalogue."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from actions.check_price import ActionCheckPrice
from actions.check_stock import ActionCheckStock
from actions.recommend_products import ActionRecommendProducts
from actions.similar_products import ActionSimilarProducts
from insight.db.engine import make_engine
from insight.db.models import Customer, Order, OrderLine, OrderStatus, Product
from insight.embeddings import FakeEncoder
from insight.profiles.contracts import CustomerProfile, FakeProfileLookup
from insight.recommend.build import ensure_recommend_artefact
from insight.recommend.model import RecommendConfig
from insight.recommend.service import HybridRecommender
from insight.settings import PROJECT_ROOT
from insight.support.catalog import CatalogRecommender
from insight.support.profiles import ShopperProfiles
from tests.action_kit import Store, entity, responses, run, slot_events, tracker
from tests.factories import TODAY


def test_suggestions_for_a_category_within_a_budget_and_for_someone(store: Store) -> None:
    events, messages = run(
        ActionRecommendProducts(lambda: store.services),
        tracker(
            "which laptop for my dad under 1000",
            "recommend_product",
            [entity("category", "laptop"), entity("recipient", "dad"), entity("budget", "1000")],
        ),
    )

    assert responses(messages) == ["utter_suggestions_for_budget"]
    assert (messages[0]["recipient"], messages[0]["budget"]) == ("dad", "€1,000.00")
    assert messages[0]["products"] == "Aero 14 Laptop (€799.00)"
    assert [p["sku"] for p in messages[0]["custom"]["products"]] == ["LAP-1"]
    assert slot_events(events) == {"task_resolved": True}


def _laptop_buyer(store: Store) -> int:
    """A customer whose only purchase is a laptop, while headphones sell best overall."""
    with store.sessions() as session:
        laptop = session.get(Product, store.fixture.small.laptop_id)
        assert laptop is not None
        dev = Customer(
            external_ref="C-DEV",
            email="dev@example.com",
            name="Dev Patel",
            country="NO",
            created_at=TODAY,
        )
        order = Order(
            number="SS-100009",
            customer=dev,
            placed_at=TODAY,
            status=OrderStatus.DELIVERED,
            currency="EUR",
            total=laptop.price,
            payment_method="card",
            ship_name="Dev Patel",
            ship_street="1 Test Street",
            ship_city="Oslo",
            ship_postcode="0150",
            ship_country="NO",
        )
        order.lines = [OrderLine(product=laptop, quantity=1, unit_price=laptop.price)]
        session.add_all([dev, order])
        session.commit()
        return dev.id


def test_a_known_shopper_asking_for_anything_gets_their_favourite_category_first(
    store: Store,
) -> None:
    action = ActionRecommendProducts(lambda: store.services)
    anything = "recommend me something"

    _, known = run(action, tracker(anything, "recommend_product", customer_id=_laptop_buyer(store)))
    _, guest = run(action, tracker(anything, "recommend_product"))

    assert next(p["name"] for p in known[0]["custom"]["products"]) == "Aero 14 Laptop"
    assert next(p["name"] for p in guest[0]["custom"]["products"]) == "Quiet 2 Headphones"
    assert responses(known) == ["utter_suggestions"]


def test_nothing_within_budget_says_so(store: Store) -> None:
    events, messages = run(
        ActionRecommendProducts(lambda: store.services),
        tracker(
            "laptop under 50",
            "recommend_product",
            [entity("category", "laptop"), entity("budget", "50")],
        ),
    )

    assert responses(messages) == ["utter_no_suggestions_budget"]
    assert events == []


def test_similar_products_are_in_stock_and_alike(store: Store) -> None:
    _, found = run(
        ActionSimilarProducts(lambda: store.services),
        tracker(entities=[entity("product", "zen 13 ultrabook")]),
    )
    _, none = run(
        ActionSimilarProducts(lambda: store.services),
        tracker(entities=[entity("product", "Aero 14 Laptop")]),
    )
    _, unknown = run(
        ActionSimilarProducts(lambda: store.services),
        tracker(entities=[entity("product", "fridge")]),
    )
    _, unnamed = run(ActionSimilarProducts(lambda: store.services), tracker())

    assert (responses(found), found[0]["products"]) == (
        ["utter_similar_products"],
        "Aero 14 Laptop (€799.00)",
    )
    assert responses(none) == ["utter_no_similar"]
    assert responses(unknown) == ["utter_product_not_found"]
    assert responses(unnamed) == ["utter_which_product"]


def test_stock_answers_in_stock_few_left_or_sold_out_with_alternatives(store: Store) -> None:
    action = ActionCheckStock(lambda: store.services)

    _, plenty = run(action, tracker(entities=[entity("product", "quiet 2 headphones")]))
    _, few = run(action, tracker(entities=[entity("product", "Aero 14 Laptop")]))
    _, sold_out = run(action, tracker(entities=[entity("product", "Zen 13 Ultrabook")]))

    assert responses(plenty) == ["utter_in_stock"]
    assert (responses(few), few[0]["stock"]) == (["utter_low_stock"], 4)
    assert responses(sold_out) == ["utter_out_of_stock_alternatives"]
    assert sold_out[0]["products"] == "Aero 14 Laptop (€799.00)"


def test_stock_of_a_category_and_of_a_product_named_earlier(store: Store) -> None:
    action = ActionCheckStock(lambda: store.services)

    _, laptops = run(action, tracker(entities=[entity("category", "laptops")]))
    _, earlier = run(action, tracker("is it in stock?", slots={"product": "Aero 14 Laptop"}))

    assert (responses(laptops), laptops[0]["count"]) == (["utter_category_in_stock"], 1)
    assert earlier[0]["product"] == "Aero 14 Laptop"


def test_prices_of_a_product_and_of_a_category(store: Store) -> None:
    action = ActionCheckPrice(lambda: store.services)

    _, product = run(action, tracker(entities=[entity("product", "zen 13")]))
    _, category = run(action, tracker(entities=[entity("category", "laptops")]))
    _, unknown = run(action, tracker(entities=[entity("product", "hoverboard")]))

    assert (responses(product), product[0]["price"]) == (["utter_price"], "€1,199.00")
    assert (category[0]["low"], category[0]["high"]) == ("€799.00", "€1,199.00")
    assert responses(unknown) == ["utter_product_not_found"]


def test_a_built_fused_profile_decides_the_favourite_categories(store: Store) -> None:
    fused = CustomerProfile(
        customer_id=store.cleo,
        segment="loyal high spenders",
        churn_risk=0.1,
        predicted_value_12m=900.0,
        expected_orders_12m=3.0,
        top_categories=("Laptops",),
        top_brands=("Aero",),
        price_band="premium",
        sentiment=0.5,
        review_count=2,
        top_topics=(),
        last_order_number="SS-100006",
        last_order_at=TODAY,
        recency_days=20.0,
        frequency=3,
        monetary=1088.7,
        avg_order_value=362.9,
        tenure_days=200.0,
        views_per_order=None,
        return_rate=0.3,
        days_since_contact=None,
        as_of=TODAY,
        vector=(),
    )
    services = replace(
        store.services, profiles=ShopperProfiles(store.sessions, FakeProfileLookup([fused]))
    )

    _, messages = run(
        ActionRecommendProducts(lambda: services),
        tracker("recommend me something", "recommend_product", customer_id=store.cleo),
    )

    assert next(p["name"] for p in messages[0]["custom"]["products"]) == "Aero 14 Laptop"


@cache
def _domain() -> dict[str, Any]:
    """The domain as Rasa sends it with every action call (the reason lines come from it)."""
    loaded: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    return loaded


def _trained(store: Store, tmp_path: Path) -> HybridRecommender:
    """The hybrid recommender trained on the store's shop (fake encoder)."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(url)
    ensure_recommend_artefact(engine, tmp_path / "cache", FakeEncoder(), RecommendConfig(factors=2))
    engine.dispose()
    return HybridRecommender(
        store.sessions,
        FakeProfileLookup([]),
        tmp_path / "cache",
        url,
        fallback=CatalogRecommender(store.sessions),
    )


def test_each_suggestion_card_says_why_in_the_words_of_the_domain(
    store: Store, tmp_path: Path
) -> None:
    services = replace(store.services, recommender=_trained(store, tmp_path))

    _, for_ben = run(
        ActionRecommendProducts(lambda: services),
        tracker("recommend me something", "recommend_product", customer_id=store.ben),
        _domain(),
    )
    _, alike = run(
        ActionSimilarProducts(lambda: services),
        tracker(entities=[entity("product", "zen 13 ultrabook")]),
        _domain(),
    )

    # Ben bought the headphones and the ultrabook is sold out, which leaves the laptop: bought
    # with the headphones by Ada and by Cleo
    assert for_ben[0]["custom"]["products"] == [
        {
            "name": "Aero 14 Laptop",
            "price": "799.00",
            "currency": "EUR",
            "sku": "LAP-1",
            "reason": "Because you bought Quiet 2 Headphones",
        }
    ]
    assert alike[0]["custom"]["products"][0]["reason"] == "Similar to Zen 13 Ultrabook"


def test_a_shopper_who_has_everything_in_stock_is_told_so(store: Store, tmp_path: Path) -> None:
    services = replace(store.services, recommender=_trained(store, tmp_path))

    events, messages = run(
        ActionRecommendProducts(lambda: services),
        tracker("recommend me something", "recommend_product", customer_id=store.cleo),
        _domain(),
    )

    assert responses(messages) == ["utter_no_suggestions"]
    assert events == []
