from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import mentioned, resolved
from actions.services import Services, services
from insight.support.formatting import money


class ActionCheckPrice(Action):
    """The price of a named product, or the price range of a named category."""

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_check_price"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        shop, named = self._services(), mentioned(tracker, "product")
        category = mentioned(tracker, "category")
        if named is None and category is not None:
            prices = [p.price for p in shop.catalog.in_category(category)]
            if prices:
                dispatcher.utter_message(
                    response="utter_category_prices",
                    category=category,
                    low=money(min(prices), shop.currency),
                    high=money(max(prices), shop.currency),
                )
                return resolved()
        product = shop.catalog.find(named) if named else None
        if product is None:
            response = "utter_product_not_found" if named or category else "utter_which_product"
            dispatcher.utter_message(response=response, product=named or category)
            return []
        dispatcher.utter_message(
            response="utter_price", product=product.name, price=money(product.price, shop.currency)
        )
        return resolved()
