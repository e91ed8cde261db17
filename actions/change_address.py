from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.conversation import end_task, resolved, shopper_id
from actions.services import Services, services
from insight.support.address import clean_address
from insight.support.orders import Refused


class ActionChangeAddress(Action):
    """Submits ``address_form``: redirects the order, re-checked in the transaction that does it."""

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_change_address"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        support, customer = self._services().support, shopper_id(tracker)
        number = tracker.get_slot("order_number")
        address = clean_address(
            *(
                str(tracker.get_slot(f"address_{part}") or "")
                for part in ("street", "city", "postcode")
            )
        )
        if tracker.get_slot("form_blocked") or customer is None or not number or address is None:
            return end_task()
        outcome = support.change_address(customer, number, address)
        if isinstance(outcome, Refused):
            replies.say(
                dispatcher, [replies.refusal("address", outcome, support.return_window_days)]
            )
            return end_task()
        dispatcher.utter_message(
            response="utter_address_changed",
            order_number=outcome.order_number,
            street=address.street,
            postcode=address.postcode,
            city=address.city,
        )
        return [*end_task(), *resolved()]
