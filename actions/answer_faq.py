from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import resolved
from actions.services import Services, services
from insight.faq.contracts import FaqHit
from insight.understanding.metadata import FAQ_INTENT, sure_of


class ActionAnswerFaq(Action):
    """Answers from the shop's FAQ index; when it is not sure, says so and offers a person.

    The gateway searched the index with the message's shared encoder pass and sent the best hit
    in the metadata (``{"faq": [hit]}``) with the intent reading; when that reading is sure the
    message is an FAQ question, the index's lower asked threshold applies. Only a message without
    a hit (sent to Rasa's REST channel directly) is searched here, at the plain threshold.
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
        metadata = tracker.latest_message.get("metadata")
        hits = gateway_hits(metadata)
        if hits is None:
            found = faq.answer(question)
        else:
            found = faq.answer_from(question, hits, asked=reader_was_sure(metadata))
        if found is None:
            dispatcher.utter_message(response="utter_faq_not_sure")
            return [FollowupAction("action_offer_human")]
        dispatcher.utter_message(response="utter_faq_answer", answer=found.answer)
        return resolved()


def reader_was_sure(metadata: object) -> bool:
    """Whether the gateway's intent reading was sure the message is an FAQ question."""
    return isinstance(metadata, dict) and sure_of(metadata.get("intent"), FAQ_INTENT)


def gateway_hits(metadata: object) -> list[FaqHit] | None:
    """The FAQ hits the gateway sent with the message; None when it sent none."""
    given = metadata.get("faq") if isinstance(metadata, dict) else None
    if not isinstance(given, list):
        return None
    hits = [FaqHit.from_metadata(item) for item in given]
    valid = [hit for hit in hits if hit is not None]
    return valid if valid and len(valid) == len(hits) else None
