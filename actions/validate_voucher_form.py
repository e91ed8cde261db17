from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.conversation import latest_intent, mentioned
from insight.support.vouchers import find_voucher_code


class ValidateVoucherForm(FormValidationAction):
    """Reads the code from the shopper's message ("my code SAVE10 doesn't work"), or from their
    answer when asked for it; a message with no code in it leaves the question open."""

    def name(self) -> str:
        return "validate_voucher_form"

    def extract_voucher_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = tracker.get_slot("requested_slot") == "voucher_code"
        if tracker.get_slot("voucher_code") or not (
            asked or latest_intent(tracker) == "voucher_problem"
        ):
            return {}
        text = str(tracker.latest_message.get("text") or "")
        code = find_voucher_code(mentioned(tracker, "voucher_code") or "") or find_voucher_code(
            text
        )
        return {"voucher_code": code} if code else {}

    def validate_voucher_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"voucher_code": find_voucher_code(str(value or ""))}
