"""The fan-out: everything the switchboard tells the browsers, the shopper's open tabs and every
agent desk, through the :class:`Outbox`.

A stored message goes to both sides at once (the desk sees the emotion read from it, the widget
never does); an owner change goes to every desk and to each queued shopper whose place in the
queue may have moved. Nothing else in the switchboard emits an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bot.ownership import Owner
from bot.payloads import shown
from bot.switchboard.directory import Directory
from bot.views import (
    conversation_view,
    desk_message_view,
    note_view,
    shopper_message_view,
    status_view,
)
from insight.conversations import (
    ConversationRecord,
    ConversationRepository,
    MessageRecord,
    NoteRecord,
)
from insight.emotion.base import Emotion


class Outbox(Protocol):
    """Where the switchboard's news goes: the shopper's open tabs and the agent desks."""

    async def to_conversation(
        self, conversation_id: str, event: str, data: dict[str, Any]
    ) -> None: ...

    async def to_desk(self, event: str, data: dict[str, Any]) -> None: ...

    def agents_online(self) -> int: ...


@dataclass(frozen=True)
class FanOut:
    conversations: ConversationRepository
    directory: Directory
    outbox: Outbox

    def agents_online(self) -> int:
        return self.outbox.agents_online()

    async def store(
        self,
        conversation_id: str,
        sender: str,
        text: str,
        *,
        payload: dict[str, Any] | None = None,
        client_id: str | None = None,
        reading: Emotion | None = None,
    ) -> MessageRecord:
        """Store one message of the conversation and show it to the shopper and the desks."""
        message, _ = self.conversations.add_message(
            conversation_id, sender, text, payload=payload, client_id=client_id, emotion=reading
        )
        await self.to_shopper(message)
        await self.outbox.to_desk(
            "message", {"conversation_id": conversation_id, "message": desk_message_view(message)}
        )
        return message

    async def to_shopper(self, message: MessageRecord) -> None:
        """Show a message in the shopper's widget only (a notice that could not be stored)."""
        await self.outbox.to_conversation(
            message.conversation_id, "message", shopper_message_view(message)
        )

    async def show_replies(
        self, conversation_id: str, replies: list[dict[str, Any]]
    ) -> list[MessageRecord]:
        """Store and show what of the assistant's replies a shopper can see."""
        produced = []
        for reply in replies:
            visible = shown(reply)
            if visible is not None:
                produced.append(
                    await self.store(conversation_id, "bot", visible.text, payload=visible.payload)
                )
        return produced

    async def typing(self, conversation_id: str, who: str, on: bool) -> None:
        await self.outbox.to_conversation(conversation_id, "typing", {"who": who, "on": on})

    async def note(self, note: NoteRecord) -> None:
        await self.outbox.to_desk(
            "note", {"conversation_id": note.conversation_id, "note": note_view(note)}
        )

    async def tickets_changed(self) -> None:
        await self.outbox.to_desk("tickets", {"open": len(self.directory.tickets())})

    async def announce(self, changed: ConversationRecord) -> None:
        """Tell the shopper and every desk; queue positions may have moved for everyone queued."""
        await self.outbox.to_desk("conversation", conversation_view(changed))
        queue = self.directory.queue()
        positions = {entry.conversation.id: n for n, entry in enumerate(queue, start=1)}
        await self.send_status(changed.id, positions.get(changed.id), changed)
        for entry in queue:
            if entry.conversation.id != changed.id:
                await self.send_status(entry.conversation.id, positions[entry.conversation.id])
        await self.outbox.to_desk("queue", {"length": len(queue)})

    async def send_status(
        self,
        conversation_id: str,
        position: int | None = None,
        conversation: ConversationRecord | None = None,
    ) -> None:
        """The shopper's status line: who holds the conversation, their place in the queue."""
        conversation = conversation or self.directory.require(conversation_id)
        if position is None and conversation.owner is Owner.QUEUED:
            position = self.directory.queue_position(conversation_id)
        await self.outbox.to_conversation(
            conversation_id, "status", status_view(conversation, position)
        )
