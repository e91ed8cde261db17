from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import shopper_id
from actions.services import Services, services


class ActionSaveCsat(Action):
    """Submits ``csat_form``: stores the 1–5 score and comment (if any) for this conversation."""

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_save_csat"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        score, comment = tracker.get_slot("csat_score"), tracker.get_slot("csat_comment")
        done = [SlotSet(name, None) for name in ("csat_score", "csat_comment", "form_blocked")] + [
            SlotSet("task_resolved", False)
        ]
        if tracker.get_slot("form_blocked") or not isinstance(score, int | float):
            dispatcher.utter_message(response="utter_csat_skipped")
            return done
        self._services().csat.record(tracker.sender_id, shopper_id(tracker), int(score), comment)
        dispatcher.utter_message(response="utter_csat_thanks")
        return done
