from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import mentioned, resolved, shopper_id
from actions.replies import suggestion_cards
from actions.services import Services, services
from insight.support.catalog import ProductQuery, keywords, parse_budget
from insight.support.formatting import money, product_list

# (names whom it is for, names a budget) -> response
SUGGESTIONS = {
    (False, False): "utter_suggestions",
    (True, False): "utter_suggestions_for",
    (False, True): "utter_suggestions_budget",
    (True, True): "utter_suggestions_for_budget",
}


class ActionRecommendProducts(Action):
    """Suggestions for a category or product type, a budget and whom it is for.

    A known shopper's suggestions are theirs (what they already bought or sent back is left out;
    with nothing named, their favourite categories lead); each product card says why it was
    suggested ("Because you bought …", "Popular with customers like you").
    """

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_recommend_products"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        shop, customer = self._services(), shopper_id(tracker)
        terms = keywords(mentioned(tracker, "category") or mentioned(tracker, "product") or "")
        budget = parse_budget(mentioned(tracker, "budget") or "")
        profile = shop.profiles.profile(customer) if customer is not None and not terms else None
        liked = profile.favourite_categories if profile else ()
        picks = shop.recommender.suggest(ProductQuery(terms, budget, liked, customer), k=3)
        recipient = mentioned(tracker, "recipient")
        values = {
            "budget": money(budget, shop.currency) if budget else None,
            "recipient": recipient,
        }
        if not picks:
            response = "utter_no_suggestions_budget" if budget else "utter_no_suggestions"
            dispatcher.utter_message(response=response, **values)
            return []
        dispatcher.utter_message(
            response=SUGGESTIONS[bool(recipient), bool(budget)],
            products=product_list([pick.product for pick in picks], shop.currency),
            json_message=suggestion_cards(picks, shop.currency, domain),
            **values,
        )
        return resolved()
