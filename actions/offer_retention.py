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
    gives this (verified) shopper one now; otherwise it says nothing."""

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_offer_retention"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        customer = shopper_id(tracker)
        if customer is None:
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
