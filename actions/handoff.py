from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import latest_intent, slot_before_latest_message
from insight.support.handoff import HandoffReason, handoff_request


class ActionHandoff(Action):
    """Hands the conversation to a person and pauses the assistant.

    Sends the handover text together with a custom payload that the gateway reads and never
    shows to the shopper::

        {"handoff": {"reason": "<HandoffReason value>", "priority": <0.0 … 1.0>}}

    ``reason`` is why (the shopper asked, accepted an offer made after a complaint, a payment
    problem, an upset mood or not being understood); ``priority`` is the urgency the assistant
    asks for, which the gateway combines with the emotion trajectory, the customer's value and
    the waiting time. Then ``ConversationPaused``: Rasa stays silent until the gateway resumes
    the conversation when the agent hands it back.
    """

    def name(self) -> str:
        return "action_handoff"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        offered = tracker.get_slot("handoff_reason")
        if latest_intent(tracker) == "affirm" and offered in set(HandoffReason):
            reason = HandoffReason(offered)
        else:
            reason = HandoffReason.SHOPPER_ASKED
        upset = "upset" in (tracker.get_slot("tone"), slot_before_latest_message(tracker, "tone"))
        request = handoff_request(reason, upset=upset)
        dispatcher.utter_message(
            response="utter_handoff",
            json_message={
                "handoff": {"reason": request.reason.value, "priority": request.priority}
            },
        )
        return [SlotSet("handoff_reason", None), ConversationPaused()]
