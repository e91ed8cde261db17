from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.conversation import end_task, resolved, shopper_id
from actions.services import Services, services
from insight.support.formatting import money
from insight.support.orders import RefundMethod, Refused

CONFIRMATIONS = {
    RefundMethod.ORIGINAL_PAYMENT: "utter_return_created",
    RefundMethod.STORE_CREDIT: "utter_return_created_credit",
}


class ActionCreateReturn(Action):
    """Submits ``return_form``: opens the return, with the window re-checked as it is written."""

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_create_return"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        support, customer = self._services().support, shopper_id(tracker)
        number, item = tracker.get_slot("order_number"), tracker.get_slot("return_item")
        reason, method = tracker.get_slot("return_reason"), tracker.get_slot("refund_method")
        if tracker.get_slot("form_blocked") or customer is None or not (number and item and method):
            return end_task()
        outcome = support.start_return(customer, number, item, reason or "", RefundMethod(method))
        if isinstance(outcome, Refused):
            replies.say(
                dispatcher, [replies.refusal("return", outcome, support.return_window_days)]
            )
            return end_task()
        dispatcher.utter_message(
            response=CONFIRMATIONS[outcome.refund_method],
            quantity=outcome.quantity,
            product=outcome.product_name,
            order_number=outcome.order_number,
            amount=money(outcome.amount, outcome.currency),
        )
        return [*end_task(), *resolved()]
