from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import resolved
from actions.services import Services, services
from insight.faq.contracts import FaqHit


class ActionAnswerFaq(Action):
    """Answers from the shop's FAQ index; when it is not sure, says so and offers a person.

    The gateway searched the index with the message's shared encoder pass and sent the best hit
    in the metadata (``{"faq": [hit]}``); only a message without one (sent to Rasa's REST
    channel directly) is searched here.
    """

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_answer_faq"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        question = str(tracker.latest_message.get("text") or "")
        faq = self._services().faq
        hits = gateway_hits(tracker.latest_message.get("metadata"))
        found = faq.answer(question) if hits is None else faq.answer_from(question, hits)
        if found is None:
            dispatcher.utter_message(response="utter_faq_not_sure")
            return [FollowupAction("action_offer_human")]
        dispatcher.utter_message(response="utter_faq_answer", answer=found.answer)
        return resolved()


def gateway_hits(metadata: object) -> list[FaqHit] | None:
    """The FAQ hits the gateway sent with the message; None when it sent none."""
    given = metadata.get("faq") if isinstance(metadata, dict) else None
    if not isinstance(given, list):
        return None
    hits = [FaqHit.from_metadata(item) for item in given]
    valid = [hit for hit in hits if hit is not None]
    return valid if valid and len(valid) == len(hits) else None
