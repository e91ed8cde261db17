from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import latest_intent
from insight.support.handoff import HandoffReason

# Why a person is being offered, from what the shopper said last.
REASONS = {
    "complain": HandoffReason.COMPLAINT,
    "insult": HandoffReason.COMPLAINT,
    "payment_problem": HandoffReason.PAYMENT_PROBLEM,
    "nlu_fallback": HandoffReason.NOT_UNDERSTOOD,
    "ask_faq": HandoffReason.NOT_UNDERSTOOD,
}


class ActionOfferHuman(Action):
    """Offers a person (yes/no buttons) and remembers why, for the handoff that may follow."""

    def name(self) -> str:
        return "action_offer_human"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        upset = HandoffReason.UPSET if tracker.get_slot("tone") == "upset" else None
        reason = REASONS.get(latest_intent(tracker)) or upset or HandoffReason.NOT_UNDERSTOOD
        dispatcher.utter_message(response="utter_offer_human")
        return [SlotSet("handoff_reason", reason.value)]
