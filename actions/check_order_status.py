from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.conversation import mentioned, resolved, shopper_id
from actions.services import Services, services


class ActionCheckOrderStatus(Action):
    """Status, carrier, tracking history and ETA of one of the verified shopper's orders.

    The order named in the latest message (or kept from the form), else the latest one; an
    order of someone else reads as not found. Runs after ``order_status_form``, which has
    already asked a guest to verify: an unverified shopper is told nothing here.
    """

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_check_order_status"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        shop, customer = self._services(), shopper_id(tracker)
        support = shop.support
        if customer is None:
            return []
        number = mentioned(tracker, "order_number")
        order = support.find(customer, number) if number else support.latest(customer)
        if order is None:
            response = "utter_order_not_found" if number else "utter_no_orders"
            dispatcher.utter_message(response=response, order_number=number)
            return []
        invoice = shop.invoice_links.url(order)
        replies.say(dispatcher, replies.order_status(order, support.today(), invoice))
        return resolved()
