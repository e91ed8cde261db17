from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import resolved
from actions.services import Services, services


class ActionAnswerFaq(Action):
    """Answers from the shop's FAQ index; when it is not sure, says so and offers a person."""

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_answer_faq"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        question = str(tracker.latest_message.get("text") or "")
        found = self._services().faq.answer(question)
        if found is None:
            dispatcher.utter_message(response="utter_faq_not_sure")
            return [FollowupAction("action_offer_human")]
        dispatcher.utter_message(response="utter_faq_answer", answer=found.answer)
        return resolved()
