from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.services import Services, services


class ActionListCategories(Action):
    """Tells the shopper which product categories the shop sells, from the catalogue."""

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_list_categories"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        shop = self._services()
        try:
            categories = shop.products.categories()
        except SQLAlchemyError:
            categories = []
        if not categories:
            dispatcher.utter_message(response="utter_no_categories")
            return []
        names = [category.name.lower() for category in categories[:8]]
        listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
        dispatcher.utter_message(response="utter_categories", category_list=listed)
        return []
