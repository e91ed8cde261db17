from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import mentioned, resolved
from actions.replies import suggestion_cards
from actions.services import Services, services
from insight.support.formatting import money, product_list

LOW_STOCK = 5


class ActionCheckStock(Action):
    """Whether a named product is in stock (a few left, or sold out with in-stock look-alikes).

    With only a category named, it lists what of that category is in stock.
    """

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_check_stock"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        shop, named = self._services(), mentioned(tracker, "product")
        category = mentioned(tracker, "category")
        if named is None and category is not None:
            in_stock = [p for p in shop.catalog.in_category(category) if p.in_stock]
            response = "utter_category_in_stock" if in_stock else "utter_category_sold_out"
            dispatcher.utter_message(
                response=response,
                category=category,
                count=len(in_stock),
                products=product_list(in_stock[:3], shop.currency),
            )
            return resolved()
        product = shop.catalog.find(named) if named else None
        if product is None:
            response = "utter_product_not_found" if named else "utter_which_product"
            dispatcher.utter_message(response=response, product=named)
            return []
        price = money(product.price, shop.currency)
        if product.in_stock:
            response = "utter_low_stock" if product.stock <= LOW_STOCK else "utter_in_stock"
            dispatcher.utter_message(
                response=response, product=product.name, stock=product.stock, price=price
            )
            return resolved()
        alike = shop.recommender.similar(product.id, k=3)
        dispatcher.utter_message(
            response="utter_out_of_stock_alternatives" if alike else "utter_out_of_stock",
            product=product.name,
            products=product_list([other.product for other in alike], shop.currency),
            json_message=suggestion_cards(alike, shop.currency, domain) if alike else None,
        )
        return resolved()
