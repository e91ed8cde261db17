from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.services import Services, services
from insight.emotion.base import Emotion
from insight.support.mood import tone


class ActionDetectEmotion(Action):
    """Sets ``emotion`` and ``tone`` from the emotion of every shopper message.

    The slots have a ``custom`` mapping naming this action, so ``action_extract_slots`` runs it
    after each user message, before the next action is chosen. The gateway reads every message
    once and sends the reading in the message metadata (``{"emotion": {"label", "confidence",
    "polarity"}}``), which is used as it is; only a message without one (sent to Rasa's REST
    channel directly) is read here. Button payloads (``/affirm``) carry no feeling and leave the
    mood as it was. Escalating to a person on mood is the gateway's (``insight.support.mood``).
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
        metadata = tracker.latest_message.get("metadata")
        given = metadata.get("emotion") if isinstance(metadata, dict) else None
        reading = Emotion.from_metadata(given)
        emotion = reading or self._services().emotion.detect(text)
        return [SlotSet("emotion", emotion.label), SlotSet("tone", tone(emotion))]
