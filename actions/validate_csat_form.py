from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import latest_intent
from actions.order_forms import EndableFormValidation, Slots
from insight.support.csat import parse_score

DECLINING = ("deny", "stop", "goodbye")  # to the score question: no rating, the form ends
NOTHING_TO_ADD = ("deny", "stop")  # to the comment question: no comment


class ValidateCsatForm(EndableFormValidation):
    """A score of 1–5 (declining ends the form), then an optional comment ("no" means none)."""

    def name(self) -> str:
        return "validate_csat_form"

    def validate_csat_score(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        score = parse_score(str(value or ""))
        if score is not None:
            return {"csat_score": score}
        if latest_intent(tracker) in DECLINING:
            return {"csat_score": None, "form_blocked": True}
        dispatcher.utter_message(response="utter_invalid_csat_score")
        return {"csat_score": None}

    def validate_csat_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        declined = latest_intent(tracker) in NOTHING_TO_ADD
        return {"csat_comment": "" if declined else " ".join(str(value or "").split())}
