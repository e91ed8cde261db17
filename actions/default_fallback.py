from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

REPHRASE = "utter_default"


def _asked_to_rephrase_last(tracker: Tracker) -> bool:
    bot_turns = [event for event in tracker.events if event.get("event") == "bot"]
    return bool(bot_turns) and (bot_turns[-1].get("metadata") or {}).get("utter_action") == REPHRASE


class ActionDefaultFallback(Action):
    """When the assistant is unsure (NLU fallback or low action confidence): first asks the
    shopper to rephrase; unsure again right after, it offers a person instead."""

    def name(self) -> str:
        return "action_default_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if _asked_to_rephrase_last(tracker):
            dispatcher.utter_message(response="utter_still_unsure")
            return [FollowupAction("action_offer_human")]
        dispatcher.utter_message(response=REPHRASE)
        return []
