from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import end_task


class ActionStopTask(Action):
    """After the shopper stops a form: confirms nothing was changed and forgets its answers."""

    def name(self) -> str:
        return "action_stop_task"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_stopped")
        return end_task()
