from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.conversation import mentioned, resolved, shopper_id
from actions.services import Services, services


class ActionCheckRefundStatus(Action):
    """Progress of the returns and refunds of one order, or of the latest order that has any."""

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_check_refund_status"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        customer = shopper_id(tracker)
        if customer is None:
            return []
        number = mentioned(tracker, "order_number")
        overview = self._services().support.refunds(customer, number)
        if overview is None and number:
            dispatcher.utter_message(response="utter_order_not_found", order_number=number)
            return []
        if overview is None:
            dispatcher.utter_message(response="utter_no_refunds_at_all")
            return []
        replies.say(dispatcher, replies.refund_status(overview))
        return resolved()
