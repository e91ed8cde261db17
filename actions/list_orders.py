from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.conversation import end_task, resolved, shopper_id
from actions.services import Services, services

RECENT_ORDERS = 5


class ActionListOrders(Action):
    """The shopper's most recent orders, newest first, each with its status card (and a paid
    order's invoice link).

    Runs after ``order_history_form``: a signed-in shopper is asked nothing, a guest has
    verified with one order number and the account's email, which shows that account's orders.
    """

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_list_orders"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        customer = shopper_id(tracker)
        if customer is None:  # verification failed or was given up: the form said why
            return end_task()
        shop = self._services()
        orders = shop.support.recent(customer, RECENT_ORDERS)
        if not orders:
            dispatcher.utter_message(response="utter_no_orders")
            return end_task()
        replies.say(dispatcher, replies.order_history(orders, shop.invoice_links.url))
        return [*end_task(), *resolved()]
