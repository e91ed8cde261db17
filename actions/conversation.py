"""What the actions read from a conversation: who the shopper is, what they just named.

Identity never comes from what the shopper types. It is the customer id the gateway put in the
message metadata (from the shop's signed token), or else the id this conversation verified with
an order number and the account's email (``verified_customer_id``, which only the order forms'
verification sets: the slot has no entity mapping, so ``/intent{"verified_customer_id": …}``
cannot fill it).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

# The slots of the order forms, emptied when a task ends (done, refused or stopped).
TASK_SLOTS = (
    "order_number",
    "form_blocked",
    "cancel_confirmed",
    "address_street",
    "address_city",
    "address_postcode",
    "return_item",
    "return_reason",
    "refund_method",
)


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def shopper_id(tracker: Tracker) -> int | None:
    """The verified customer id: the signed-token id in the metadata first, then verification."""
    metadata = tracker.latest_message.get("metadata") or {}
    from_token = _as_id(metadata.get("customer_id")) if isinstance(metadata, dict) else None
    return (
        from_token if from_token is not None else _as_id(tracker.get_slot("verified_customer_id"))
    )


def mentioned(tracker: Tracker, entity: str) -> str | None:
    """What the latest message names as ``entity``, else the slot of that name."""
    for found in tracker.latest_message.get("entities") or []:
        if found.get("entity") == entity and str(found.get("value") or "").strip():
            return str(found["value"]).strip()
    value = tracker.get_slot(entity)
    return str(value) if value else None


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def texts_since(tracker: Tracker, intent: str) -> list[str]:
    """What the shopper wrote from their latest message with ``intent`` on, oldest first."""
    texts: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        texts.append(str(event.get("text") or ""))
        if ((event.get("parse_data") or {}).get("intent") or {}).get("name") == intent:
            break
    return texts[::-1]


def slot_before_latest_message(tracker: Tracker, name: str) -> Any:
    """The value ``name`` had before the shopper's latest message was read."""
    users = [i for i, event in enumerate(tracker.events) if event.get("event") == "user"]
    before = tracker.events[: users[-1]] if users else tracker.events
    for event in reversed(before):
        if event.get("event") == "slot" and event.get("name") == name:
            return event.get("value")
    return None


def end_task() -> list[dict[str, Any]]:
    """Events that empty the order forms' slots once a task is over."""
    return [SlotSet(name, None) for name in TASK_SLOTS]


def resolved() -> list[dict[str, Any]]:
    """A question answered or a task done: the conversation will end with the CSAT question."""
    return [SlotSet("task_resolved", True)]
