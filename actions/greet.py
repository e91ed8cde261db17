from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import shopper_id
from actions.services import Services, services


class ActionGreet(Action):
    """Greets a returning customer by first name (and nothing more personal); others generically."""

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_greet"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        customer = shopper_id(tracker)
        profile = self._services().profiles.profile(customer) if customer is not None else None
        if profile is not None and profile.first_name:
            dispatcher.utter_message(response="utter_greet_known", first_name=profile.first_name)
        else:
            dispatcher.utter_message(response="utter_greet")
        return []
