from __future__ import annotations

from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import OperationalError

from actions.list_categories import ActionListCategories
from actions.services import Services
from insight.domain import CategorySummary


class _Products:
    def __init__(self, categories: list[CategorySummary] | Exception) -> None:
        self._categories = categories

    def categories(self) -> list[CategorySummary]:
        if isinstance(self._categories, Exception):
            raise self._categories
        return self._categories


def _services(products: _Products) -> Services:
    return Services(customers=None, orders=None, products=products)  # type: ignore[arg-type]


def _tracker() -> Tracker:
    return Tracker(
        "shopper-1",
        {},
        {"intent": {"name": "ask_categories"}, "text": "what do you sell"},
        [],
        False,
        None,
        {},
        "action_listen",
    )


def _run(products: _Products) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = ActionListCategories(lambda: _services(products)).run(dispatcher, _tracker(), {})
    return events, dispatcher.messages


def _category(name: str) -> CategorySummary:
    return CategorySummary(name=name, product_count=3, min_price=Decimal(1), max_price=Decimal(9))


def test_lists_the_largest_categories_in_plain_english() -> None:
    events, messages = _run(
        _Products([_category("Laptops"), _category("Headphones"), _category("TVs")])
    )

    assert events == []
    assert messages[0]["response"] == "utter_categories"
    assert messages[0]["category_list"] == "laptops, headphones and tvs"


def test_a_single_category_reads_naturally() -> None:
    _, messages = _run(_Products([_category("Cameras")]))

    assert messages[0]["category_list"] == "cameras"


def test_an_empty_catalogue_or_a_down_database_gets_a_polite_reply() -> None:
    for products in (_Products([]), _Products(OperationalError("SELECT", {}, Exception("down")))):
        events, messages = _run(products)
        assert events == []
        assert [m["response"] for m in messages] == ["utter_no_categories"]
