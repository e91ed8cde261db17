from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.services import Services, services
from insight.support.handoff import HandoffReason


class ActionHumanAvailability(Action):
    """Whether a person can take the chat now, and the offer to connect (yes/no buttons).

    The gateway puts ``agents_available`` in every message's metadata; without it (Rasa used
    directly over REST) the assistant only knows the opening hours. Offline, accepting leads
    to the gateway's leave-a-message form.
    """

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_human_availability"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        metadata = tracker.latest_message.get("metadata") or {}
        available = metadata.get("agents_available") if isinstance(metadata, dict) else None
        hours = self._services().support_hours
        values: dict[str, Any] = (
            {"hours": hours.hours, "email_reply_hours": hours.email_reply_hours} if hours else {}
        )
        if available is True:
            response = "utter_agents_online"
        elif available is False:
            response = "utter_agents_offline" if hours else "utter_agents_offline_no_hours"
        else:
            response = "utter_agents_hours" if hours else "utter_agents_maybe"
        dispatcher.utter_message(response=response, **values)
        return [SlotSet("handoff_reason", HandoffReason.SHOPPER_ASKED.value)]
