from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import mentioned, resolved
from actions.replies import suggestion_cards
from actions.services import Services, services
from insight.support.formatting import product_list


class ActionSimilarProducts(Action):
    """Products like the one the shopper names, in stock, from the recommender."""

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_similar_products"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        shop, named = self._services(), mentioned(tracker, "product")
        if named is None:
            dispatcher.utter_message(response="utter_which_product")
            return []
        product = shop.catalog.find(named)
        if product is None:
            dispatcher.utter_message(response="utter_product_not_found", product=named)
            return []
        similar = shop.recommender.similar(product.id, k=3)
        if not similar:
            dispatcher.utter_message(response="utter_no_similar", product=product.name)
            return []
        dispatcher.utter_message(
            response="utter_similar_products",
            product=product.name,
            products=product_list([alike.product for alike in similar], shop.currency),
            json_message=suggestion_cards(similar, shop.currency, domain),
        )
        return resolved()
