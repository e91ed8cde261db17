"""What browsers get: messages, notes and conversation states as JSON-ready dicts.

The shopper's widget never sees emotion labels; the desk does."""

from __future__ import annotations

from typing import Any

from bot.ownership import Owner
from insight.conversations import ConversationRecord, MessageRecord, NoteRecord


def shopper_message_view(message: MessageRecord) -> dict[str, Any]:
    """A message as the shopper's widget shows it (no emotion labels)."""
    return {
        "id": message.id,
        "sender": message.sender,
        "text": message.text,
        "payload": message.payload,
        "client_id": message.client_id,
        "at": message.created_at.isoformat() + "Z",
    }


def desk_message_view(message: MessageRecord) -> dict[str, Any]:
    return shopper_message_view(message) | {
        "emotion": message.emotion,
        "emotion_confidence": message.emotion_confidence,
    }


def note_view(note: NoteRecord) -> dict[str, Any]:
    return {
        "id": note.id,
        "agent": note.agent_name,
        "text": note.text,
        "at": note.created_at.isoformat() + "Z",
    }


def status_view(conversation: ConversationRecord, position: int | None) -> dict[str, Any]:
    return {
        "owner": str(conversation.owner),
        "agent": conversation.agent_name if conversation.owner is Owner.AGENT else None,
        "queue_position": position if conversation.owner is Owner.QUEUED else None,
    }


def conversation_view(conversation: ConversationRecord) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "owner": str(conversation.owner),
        "agent": conversation.agent_name,
        "agent_id": conversation.agent_id,
        "customer_id": conversation.customer_id,
        "priority": conversation.priority,
        "reason": conversation.escalation_reason,
        "source": conversation.escalation_source,
        "queued_at": conversation.queued_at.isoformat() + "Z" if conversation.queued_at else None,
        "updated_at": conversation.updated_at.isoformat() + "Z",
    }
