"""Agent assist: what an agent needs first when a conversation reaches the desk.

A short summary of the conversation so far (who the shopper is, what they want, what the
assistant already did, how they feel), and replies to start from: the FAQ answer to the
shopper's latest question and the facts of the orders the conversation is about. Suggestions
are drafts: the desk puts one in the reply box and the agent edits it before sending, so they
are written to the shopper in the assistant's plain style. Built from the stored transcript and
the shop's data; nothing here guesses at what was not said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from insight.conversations import ConversationRecord, ConversationRepository, MessageRecord
from insight.customer_cards import CustomerCard, CustomerCards
from insight.domain import OrderDetails
from insight.emotion.trajectory import HOSTILE_LABELS
from insight.faq.contracts import FaqHit
from insight.repositories.orders import OrderRepository
from insight.support.formatting import day, money, order_items
from insight.support.identity import find_order_number

ASKS = {
    "shopper_asked": "asked for a person",
    "offer_accepted": "accepted the offer of a person",
    "complaint": "has a complaint",
    "payment_problem": "has a payment problem",
    "upset": "is upset",
    "not_understood": "was not understood by the assistant",
}
SUBSTANTIVE_WORDS = 3  # "yes", "ok", an order number alone: answers, not requests
RECENT_REPLIES = 3
UPSET_LABELS = frozenset({*HOSTILE_LABELS, "anxiety", "sadness"})


class FaqSearch(Protocol):
    def search(self, query: str, k: int = 3) -> list[FaqHit]: ...


@dataclass(frozen=True)
class HandoverSummary:
    who: str
    wants: str
    tried: tuple[str, ...]
    mood: str


@dataclass(frozen=True)
class SuggestedReply:
    kind: Literal["faq", "order"]
    label: str
    text: str


@dataclass(frozen=True)
class AgentAssist:
    summary: HandoverSummary
    replies: tuple[SuggestedReply, ...]


def who(customer: CustomerCard | None) -> str:
    if customer is None:
        return "A guest (not signed in)"
    orders = f"{customer.orders} order{'s' if customer.orders != 1 else ''}"
    segment = f", segment {customer.profile.segment}" if customer.profile else ""
    since = customer.customer_since.date().isoformat()
    return f"{customer.name}, signed in; customer since {since}, {orders}{segment}"


def latest_request(transcript: Sequence[MessageRecord]) -> str | None:
    """The shopper's latest message that asks for something (short answers are skipped)."""
    said = [m.text for m in transcript if m.sender == "shopper" and m.text.strip()]
    requests = [text for text in said if len(text.split()) >= SUBSTANTIVE_WORDS]
    chosen = requests or said
    return chosen[-1] if chosen else None


def wants(conversation: ConversationRecord, transcript: Sequence[MessageRecord]) -> str:
    request = latest_request(transcript)
    reason = conversation.escalation_reason
    why = ASKS.get(reason or "", reason) if reason else None
    parts = [f"Latest request: “{request}”" if request else "The shopper has not written yet"]
    if why:
        parts.append(f"handed over because the shopper {why}" if reason in ASKS else why)
    return "; ".join(parts) + "."


def orders_discussed(transcript: Sequence[MessageRecord]) -> list[str]:
    """Order numbers the assistant showed a card for, then any the shopper typed, first seen
    first."""
    shown = [_card_number(m) for m in transcript if m.sender == "bot"]
    typed = [find_order_number(m.text) for m in transcript if m.sender == "shopper"]
    numbers = [n for n in [*shown, *typed] if n]
    return list(dict.fromkeys(numbers))


def tried(transcript: Sequence[MessageRecord]) -> tuple[str, ...]:
    """What the assistant did: the orders it showed and its latest replies, newest last."""
    done = [f"showed order {n}" for n in dict.fromkeys(map(_card_number, transcript)) if n]
    replies = [m.text for m in transcript if m.sender == "bot" and m.text.strip()]
    done += [f"said: “{_short(text)}”" for text in replies[-RECENT_REPLIES:]]
    return tuple(done) or ("nothing yet",)


def mood(transcript: Sequence[MessageRecord]) -> str:
    readings = [m for m in transcript if m.sender == "shopper" and m.emotion]
    if not readings:
        return "no reading yet"
    latest = readings[-1]
    upset = [m for m in readings if m.emotion in UPSET_LABELS]
    now = f"{latest.emotion} ({round((latest.emotion_confidence or 0) * 100)}%)"
    if not upset:
        return f"{now}, calm throughout"
    return f"{now}; upset in {len(upset)} of {len(readings)} messages"


def order_reply(order: OrderDetails) -> SuggestedReply:
    what = f"Order {order.number} ({order_items(order)})"
    shipment = order.latest_shipment
    if order.status == "shipped" and shipment is not None:
        text = (
            f"{what} is on its way with {shipment.carrier}, tracking number "
            f"{shipment.tracking_number}; it is expected on {day(shipment.eta)}."
        )
    elif order.status == "delivered" and shipment is not None and shipment.delivered_at:
        text = f"{what} was delivered on {day(shipment.delivered_at)}."
    elif order.status in ("paid", "packed"):
        text = f"{what} is paid ({money(order.total, order.currency)}) and with our warehouse."
    elif order.status == "placed":
        text = f"{what} was placed on {day(order.placed_at)}; the payment has not cleared yet."
    else:
        text = f"{what} is {order.status}."
    return SuggestedReply("order", f"Order {order.number} ({order.status})", text)


def faq_reply(hit: FaqHit) -> SuggestedReply:
    return SuggestedReply("faq", f"FAQ: {hit.question}", hit.answer)


class HandoverAssist:
    """Summary and suggested replies for one conversation, from the shop's own data."""

    def __init__(
        self,
        conversations: ConversationRepository,
        customers: CustomerCards,
        orders: OrderRepository,
        faq: FaqSearch | None = None,
        max_orders: int = 2,
    ) -> None:
        self._conversations = conversations
        self._customers = customers
        self._orders = orders
        self._faq = faq
        self._max_orders = max_orders

    def for_conversation(self, conversation: ConversationRecord) -> AgentAssist:
        transcript = self._conversations.transcript(conversation.id)
        customer = (
            self._customers.card(conversation.customer_id) if conversation.customer_id else None
        )
        summary = HandoverSummary(
            who=who(customer),
            wants=wants(conversation, transcript),
            tried=tried(transcript),
            mood=mood(transcript),
        )
        replies = self._faq_replies(transcript) + [
            order_reply(order) for order in self._orders_for(conversation, transcript)
        ]
        return AgentAssist(summary, tuple(replies))

    def _faq_replies(self, transcript: Sequence[MessageRecord]) -> list[SuggestedReply]:
        request = latest_request(transcript)
        if self._faq is None or request is None or find_order_number(request):
            return []
        return [faq_reply(hit) for hit in self._faq.search(request, k=1)]

    def _orders_for(
        self, conversation: ConversationRecord, transcript: Sequence[MessageRecord]
    ) -> list[OrderDetails]:
        """The discussed orders, looked up for the conversation's customer; a guest's only
        through the cards the assistant showed after verifying them."""
        numbers = orders_discussed(transcript)
        found: list[OrderDetails] = []
        if conversation.customer_id is not None:
            for number in numbers:
                order = self._orders.for_customer(conversation.customer_id, number)
                if order is not None:
                    found.append(order)
            if not found and (latest := self._orders.latest_for_customer(conversation.customer_id)):
                found.append(latest)
        else:
            shown = [n for n in map(_card_number, transcript) if n]
            found = [o for n in dict.fromkeys(shown) if (o := self._orders.by_number(n))]
        return found[: self._max_orders]


def _card_number(message: MessageRecord) -> str | None:
    custom = (message.payload or {}).get("custom")
    order = custom.get("order") if isinstance(custom, dict) else None
    number = order.get("number") if isinstance(order, dict) else None
    return number if isinstance(number, str) else None


def _short(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
