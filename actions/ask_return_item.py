from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import shopper_id
from actions.services import Services, services
from insight.support.formatting import listing
from insight.support.orders import ReturnableOrder


class ActionAskReturnItem(Action):
    """The return form's question: which item, with one button per item that can go back."""

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_ask_return_item"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        customer, number = shopper_id(tracker), tracker.get_slot("order_number")
        checked = (
            self._services().support.check_returnable(customer, number)
            if customer is not None and number
            else None
        )
        names = (
            [line.product_name for line in checked.lines]
            if isinstance(checked, ReturnableOrder)
            else []
        )
        dispatcher.utter_message(
            response="utter_ask_return_item",
            order_number=number,
            items=listing(names),
            buttons=[{"title": name, "payload": name} for name in names],
        )
        return []
