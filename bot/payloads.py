"""What the assistant's replies may carry to the widget, and which button payloads a shopper
may send.

Rasa's REST channel answers with a list of messages: ``text``, ``buttons`` (title + payload),
``image`` and ``custom`` (whatever an action sent with ``json_message``). The widget renders these
custom payloads as cards:

* ``{"products": [{"name", "price", "currency"?, "reason"?, "sku"?, "image"?}, ...]}``
* ``{"order": {"number", "status", "placed_at"?, "total"?, "currency"?, "carrier"?,
  "tracking_number"?, "eta"?, "items"?: [{"name", "quantity"}], "events"?: [{"when", "where",
  "what"}], "invoice_url"?: "/invoices/<signed link>"}}``

and one custom payload is for the gateway only, never shown: ``{"handoff": {"reason": str,
"priority": float}}`` — the assistant asks for a person.

A button payload is usually an intent command (``/affirm``) that Rasa obeys without NLU, so the
gateway accepts one from a shopper only when it issued that button in the same conversation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SHOWN_CARD_KINDS = ("products", "order")
MAX_REASON_CHARS = 300


@dataclass(frozen=True)
class HandoffRequest:
    reason: str
    priority: float


@dataclass(frozen=True)
class BotMessage:
    """One message of the assistant, reduced to what the widget may show."""

    text: str
    payload: dict[str, Any] | None


def handoff_in(message: Mapping[str, Any]) -> HandoffRequest | None:
    """The assistant's request for a person, when this message carries one."""
    custom = message.get("custom")
    if not isinstance(custom, Mapping) or not isinstance(custom.get("handoff"), Mapping):
        return None
    handoff = custom["handoff"]
    reason = handoff.get("reason")
    priority = handoff.get("priority", 0.5)
    if not isinstance(priority, int | float) or isinstance(priority, bool):
        priority = 0.5
    return HandoffRequest(
        reason=(reason if isinstance(reason, str) and reason.strip() else "the assistant asked")[
            :MAX_REASON_CHARS
        ],
        priority=min(1.0, max(0.0, float(priority))),
    )


def _buttons(raw: Any) -> list[dict[str, str]]:
    if not isinstance(raw, list):
        return []
    return [
        {"title": b["title"], "payload": b["payload"]}
        for b in raw
        if isinstance(b, Mapping)
        and isinstance(b.get("title"), str)
        and isinstance(b.get("payload"), str)
    ]


def shown(message: Mapping[str, Any]) -> BotMessage | None:
    """The part of one assistant message the shopper sees; None when nothing is left."""
    text = message.get("text") if isinstance(message.get("text"), str) else ""
    payload: dict[str, Any] = {}
    buttons = _buttons(message.get("buttons"))
    if buttons:
        payload["buttons"] = buttons
    custom = message.get("custom")
    if isinstance(custom, Mapping):
        cards = {kind: custom[kind] for kind in SHOWN_CARD_KINDS if kind in custom}
        if cards:
            payload["custom"] = cards
    if isinstance(message.get("image"), str):
        payload["image"] = message["image"]
    if not text and not payload:
        return None
    return BotMessage(text=str(text), payload=payload or None)


def issued_payloads(payloads: Iterable[Mapping[str, Any] | None]) -> frozenset[str]:
    """Button payloads found in stored assistant messages."""
    return frozenset(
        button["payload"]
        for payload in payloads
        if payload
        for button in _buttons(payload.get("buttons"))
    )
