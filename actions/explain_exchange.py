from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import Services, services


class ActionExplainExchange(Action):
    """How a swap works in this shop: return the item inside the window, order the one wanted.

    The shop has no exchange operation of its own, so the assistant says how to get the same
    result and offers the return it can start, or a person for a faulty item's replacement.
    """

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_explain_exchange"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        window = self._services().support.return_window_days
        dispatcher.utter_message(response="utter_exchange_how", window_days=window)
        return []
