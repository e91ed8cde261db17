"""Handing a conversation back to the assistant: what the agent can ask it to do, and how.

Each choice triggers one intent in Rasa (``POST /conversations/{id}/trigger_intent``) after the
conversation is resumed; the entities tell the assistant what happened while a person held it.
The intents are ``EXTERNAL_*`` (never predicted from shopper text) and are declared in
``domain.yml`` by the assistant; when the running model does not know one, Rasa answers 404
and the gateway says it itself (``FALLBACK_TEXT``) or, for a task, keeps the conversation with
the agent.

* ``back_to_assistant`` → ``EXTERNAL_agent_handback``
* ``start_return`` → ``EXTERNAL_start_return`` (+ ``order_number`` when the agent gives one)
* ``send_suggestions`` → ``EXTERNAL_send_suggestions`` (+ ``category``)
* ``check_order`` → ``EXTERNAL_check_order`` (+ ``order_number``)

Every one carries ``agent_name`` and ``handback_summary`` (what the agent wrote for the assistant).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class HandbackTask(enum.StrEnum):
    BACK_TO_ASSISTANT = "back_to_assistant"
    START_RETURN = "start_return"
    SEND_SUGGESTIONS = "send_suggestions"
    CHECK_ORDER = "check_order"


INTENTS = {
    HandbackTask.BACK_TO_ASSISTANT: "EXTERNAL_agent_handback",
    HandbackTask.START_RETURN: "EXTERNAL_start_return",
    HandbackTask.SEND_SUGGESTIONS: "EXTERNAL_send_suggestions",
    HandbackTask.CHECK_ORDER: "EXTERNAL_check_order",
}
# Entities each task may pass on besides agent_name and handback_summary.
TASK_ENTITIES = {
    HandbackTask.BACK_TO_ASSISTANT: frozenset[str](),
    HandbackTask.START_RETURN: frozenset({"order_number"}),
    HandbackTask.SEND_SUGGESTIONS: frozenset({"category"}),
    HandbackTask.CHECK_ORDER: frozenset({"order_number"}),
}
FALLBACK_TEXT = "You're back with the assistant. Is there anything else I can help you with?"


@dataclass(frozen=True)
class Handback:
    task: HandbackTask
    summary: str = ""
    details: dict[str, str] = field(default_factory=dict)

    def trigger(self, agent_name: str) -> tuple[str, dict[str, str]]:
        """The intent to trigger and its entities (unknown or empty details are dropped)."""
        entities = {"agent_name": agent_name, "handback_summary": self.summary.strip()}
        entities |= {
            name: value.strip()
            for name, value in self.details.items()
            if name in TASK_ENTITIES[self.task] and value.strip()
        }
        return INTENTS[self.task], entities
