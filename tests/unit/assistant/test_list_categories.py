from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sqlalchemy.exc import OperationalError

from actions.list_categories import ActionListCategories
from insight.domain import CategorySummary
from tests.action_kit import Store, responses, run, tracker


class _Products:
    def __init__(self, categories: list[CategorySummary] | Exception) -> None:
        self._categories = categories

    def categories(self) -> list[CategorySummary]:
        if isinstance(self._categories, Exception):
            raise self._categories
        return self._categories


def _category(name: str) -> CategorySummary:
    return CategorySummary(name=name, product_count=3, min_price=Decimal(1), max_price=Decimal(9))


def _action(store: Store, products: _Products) -> ActionListCategories:
    return ActionListCategories(lambda: replace(store.services, products=products))  # type: ignore[arg-type]


def test_lists_the_largest_categories_in_plain_english(store: Store) -> None:
    products = _Products([_category("Laptops"), _category("Headphones"), _category("TVs")])

    events, messages = run(_action(store, products), tracker("what do you sell", "ask_categories"))

    assert events == []
    assert messages[0]["response"] == "utter_categories"
    assert messages[0]["category_list"] == "laptops, headphones and tvs"


def test_a_single_category_reads_naturally(store: Store) -> None:
    _, messages = run(_action(store, _Products([_category("Cameras")])), tracker())

    assert messages[0]["category_list"] == "cameras"


def test_an_empty_catalogue_or_a_down_database_gets_a_polite_reply(store: Store) -> None:
    for products in (_Products([]), _Products(OperationalError("SELECT", {}, Exception("down")))):
        events, messages = run(_action(store, products), tracker())
        assert events == []
        assert responses(messages) == ["utter_no_categories"]


def test_the_real_catalogue_is_listed(store: Store) -> None:
    _, messages = run(ActionListCategories(lambda: store.services), tracker())

    assert messages[0]["category_list"] == "laptops and headphones"
