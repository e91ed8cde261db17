from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import slot_before_latest_message
from actions.services import Services, services
from insight.support.mood import assess


class ActionDetectEmotion(Action):
    """Reads the emotion of every shopper message and sets ``emotion``, ``tone``, ``escalation``.

    The three slots have a ``custom`` mapping naming this action, so ``action_extract_slots``
    runs it after each user message, before the next action is chosen. Button payloads
    (``/affirm``) carry no feeling and leave the mood as it was.
    """

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_detect_emotion"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = str(tracker.latest_message.get("text") or "").strip()
        if not text or text.startswith("/"):
            return []
        mood = assess(
            self._services().emotion.detect(text),
            previously_upset=slot_before_latest_message(tracker, "tone") == "upset",
            escalated=bool(tracker.get_slot("escalation")),
        )
        return [
            SlotSet("emotion", mood.label),
            SlotSet("tone", mood.tone),
            SlotSet("escalation", mood.escalate),
        ]
