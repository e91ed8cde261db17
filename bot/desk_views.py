"""What the agent desk's HTTP API answers with: the customer card with its fused profile, queue
entries, a conversation's detail with its emotion timeline, and agent assist, as JSON-ready
dicts (the messages and conversation states themselves are ``bot.views``)."""

from __future__ import annotations

from typing import Any

from bot.switchboard import ConversationDetail, QueueEntry
from bot.views import conversation_view, desk_message_view, note_view
from insight.customer_cards import CustomerCard
from insight.profiles.contracts import CustomerProfile
from insight.support.assist import AgentAssist


def card_view(card: CustomerCard | None) -> dict[str, Any] | None:
    if card is None:
        return None
    return {
        "customer_id": card.customer_id,
        "ref": card.external_ref,
        "name": card.name,
        "email": card.email,
        "country": card.country,
        "customer_since": card.customer_since.date().isoformat(),
        "orders": card.orders,
        "total_spent": str(card.total_spent),
        "last_order": card.last_order_number,
        "last_order_status": card.last_order_status,
        "profile": profile_view(card.profile),
        "retention_offers": [
            {
                "code": offer.code,
                "issued_on": offer.issued_at.date().isoformat(),
                "valid_until": offer.valid_until.date().isoformat() if offer.valid_until else None,
                "used": offer.used,
            }
            for offer in card.retention_offers
        ],
    }


def profile_view(profile: CustomerProfile | None) -> dict[str, Any] | None:
    """What of the fused profile helps an agent: who this customer is to the shop and how to
    speak to them; not the vector or the raw features."""
    if profile is None:
        return None
    return {
        "segment": profile.segment,
        "churn_risk": None if profile.churn_risk is None else round(profile.churn_risk, 2),
        "predicted_value_12m": round(profile.predicted_value_12m, 2),
        "top_categories": list(profile.top_categories),
        "review_sentiment": None if profile.sentiment is None else round(profile.sentiment, 2),
        "review_count": profile.review_count,
        "tone": profile.tone,
        "as_of": profile.as_of.date().isoformat(),
    }


def queue_entry_view(entry: QueueEntry) -> dict[str, Any]:
    return conversation_view(entry.conversation) | {
        "customer": card_view(entry.customer),
        "score": entry.score,
        "waited_s": round(entry.waited_s),
        "last_message": entry.last_message[:160],
    }


def detail_view(detail: ConversationDetail) -> dict[str, Any]:
    shopper = [m for m in detail.transcript if m.sender == "shopper" and m.emotion]
    return {
        "conversation": conversation_view(detail.conversation),
        "customer": card_view(detail.customer),
        "queue_position": detail.queue_position,
        "messages": [desk_message_view(m) for m in detail.transcript],
        "notes": [note_view(n) for n in detail.notes],
        "emotions": [
            {
                "message_id": m.id,
                "label": m.emotion,
                "confidence": m.emotion_confidence,
                "at": m.created_at.isoformat() + "Z",
            }
            for m in shopper
        ],
    }


def assist_view(assist: AgentAssist) -> dict[str, Any]:
    summary = assist.summary
    return {
        "summary": {
            "who": summary.who,
            "wants": summary.wants,
            "tried": list(summary.tried),
            "mood": summary.mood,
        },
        "replies": [
            {"kind": reply.kind, "label": reply.label, "text": reply.text}
            for reply in assist.replies
        ],
    }
