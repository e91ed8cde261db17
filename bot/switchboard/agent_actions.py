"""What an agent does inside a conversation besides taking it and handing it back
(``handovers``): reply to the shopper, show that they are typing, leave a private note."""

from __future__ import annotations

from dataclasses import dataclass

from bot.guards import MAX_MESSAGE_CHARS, clean_text
from bot.ownership import Owner
from bot.switchboard.directory import Directory
from bot.switchboard.errors import NotAllowed
from bot.switchboard.fanout import FanOut
from bot.switchboard.locks import ConversationLocks
from insight.agents import AgentAccount
from insight.conversations import ConversationRepository, MessageRecord, NoteRecord


@dataclass(frozen=True)
class AgentActions:
    conversations: ConversationRepository
    directory: Directory
    fanout: FanOut
    locks: ConversationLocks

    async def message(
        self, conversation_id: str, agent: AgentAccount, text: str, client_id: str | None
    ) -> MessageRecord:
        """A reply to the shopper, from the agent who holds the conversation."""
        text = clean_text(text)[:MAX_MESSAGE_CHARS]
        if not text:
            raise NotAllowed("the message is empty")
        async with self.locks.hold(conversation_id):
            self.directory.require_held_by(conversation_id, agent)
            return await self.fanout.store(
                conversation_id,
                "agent",
                text,
                payload={"agent": agent.display_name},
                client_id=client_id,
            )

    async def typing(self, conversation_id: str, agent: AgentAccount) -> None:
        conversation = self.conversations.get(conversation_id)
        if conversation and conversation.owner is Owner.AGENT and conversation.agent_id == agent.id:
            await self.fanout.typing(conversation_id, agent.display_name, True)

    async def note(self, conversation_id: str, agent: AgentAccount, text: str) -> NoteRecord:
        """A private note: other agents see it, the shopper never does."""
        text = clean_text(text)[:MAX_MESSAGE_CHARS]
        if not text:
            raise NotAllowed("the note is empty")
        self.directory.require(conversation_id)
        note = self.conversations.add_note(conversation_id, agent.id, text)
        await self.fanout.note(note)
        return note
