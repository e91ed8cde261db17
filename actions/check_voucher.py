from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.conversation import resolved, shopper_id, texts_since
from actions.services import Services, services
from insight.support.vouchers import find_basket_total


class ActionCheckVoucher(Action):
    """Submits ``voucher_form``: says why the code does not apply to the shopper's basket, or
    what it gives. The basket total is what the shopper said since asking, if anything."""

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_check_voucher"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        code = tracker.get_slot("voucher_code")
        if not code:
            return []
        shop = self._services()
        said = find_basket_total(" ".join(texts_since(tracker, "voucher_problem")))
        check = shop.vouchers.check(str(code), shopper_id(tracker), said)
        replies.say(dispatcher, replies.voucher(check, shop.currency))
        return [SlotSet("voucher_code", None), *resolved()]
