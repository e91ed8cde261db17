from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.conversation import end_task, resolved, shopper_id
from actions.services import Services, services
from insight.support.formatting import money
from insight.support.orders import Refused


class ActionCancelOrder(Action):
    """Submits ``cancel_form``: cancels the order if the shopper confirmed and it has not shipped.

    The rule is checked again in the transaction that cancels, whatever the form saw earlier.
    """

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_cancel_order"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        support, customer = self._services().support, shopper_id(tracker)
        number, confirmed = tracker.get_slot("order_number"), tracker.get_slot("cancel_confirmed")
        if tracker.get_slot("form_blocked") or customer is None or not number or confirmed is None:
            return end_task()
        if not confirmed:
            dispatcher.utter_message(response="utter_cancel_kept", order_number=number)
            return end_task()
        outcome = support.cancel(customer, number)
        if isinstance(outcome, Refused):
            replies.say(
                dispatcher, [replies.refusal("cancel", outcome, support.return_window_days)]
            )
            return end_task()
        if outcome.refund is None:
            dispatcher.utter_message(
                response="utter_order_cancelled", order_number=outcome.order_number
            )
        else:
            dispatcher.utter_message(
                response="utter_order_cancelled_refund",
                order_number=outcome.order_number,
                amount=money(outcome.refund, outcome.currency),
            )
        return [*end_task(), *resolved()]
