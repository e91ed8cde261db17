from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import shopper_id
from actions.services import Services, services
from insight.support.formatting import day, money
from insight.support.retention import RetentionCode


class ActionOfferRetention(Action):
    """After a complaint or a cancellation: a goodwill code, when the shop's retention policy
    gives this (verified) shopper one now; otherwise it says nothing. A shopper who has just
    said to keep the order is not leaving: no code then."""

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_offer_retention"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        customer = shopper_id(tracker)
        if customer is None or _kept_the_order(tracker):
            return []
        shop = self._services()
        offered = shop.retention.offer(customer)
        if isinstance(offered, RetentionCode):
            dispatcher.utter_message(
                response="utter_retention_offer",
                code=offered.code,
                percent=f"{offered.percent.normalize():f}",
                max_value=money(offered.max_value, shop.currency),
                valid_until=day(offered.valid_until),
            )
        return []


def _kept_the_order(tracker: Tracker) -> bool:
    """Whether this follows a cancellation the shopper declined (the form's last answer, which
    ``action_cancel_order`` has just cleared, was no)."""
    if tracker.latest_action_name != "action_cancel_order":
        return False
    answers = (
        event.get("value")
        for event in reversed(tracker.events)
        if event.get("event") == "slot" and event.get("name") == "cancel_confirmed"
    )
    return next((value for value in answers if value is not None), None) is False
