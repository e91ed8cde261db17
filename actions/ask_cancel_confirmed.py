from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import shopper_id
from actions.services import Services, services
from insight.support.formatting import money, order_card, order_items


class ActionAskCancelConfirmed(Action):
    """The cancel form's question: shows the order (items, total) and asks to confirm."""

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_ask_cancel_confirmed"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        customer, number = shopper_id(tracker), tracker.get_slot("order_number")
        support = self._services().support
        order = support.find(customer, number) if customer is not None and number else None
        if order is None:
            dispatcher.utter_message(response="utter_order_not_found", order_number=number)
            return []
        dispatcher.utter_message(
            response="utter_ask_cancel_confirmed",
            order_number=order.number,
            items=order_items(order),
            total=money(order.total, order.currency),
            json_message=order_card(order),
        )
        return []
