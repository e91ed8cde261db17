"""Finding conversations and listing them: the one a request names (or :class:`NotAllowed`), its
customer's card, the queue in the order agents should take it, and the desk's other lists.

Everything here only reads the database; the other switchboard modules look conversations up
through it so that "no such conversation" reads the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.ownership import Owner
from bot.priority import queue_score
from bot.switchboard.errors import NotAllowed, NotYours
from insight.agents import AgentAccount
from insight.conversations import (
    ConversationRecord,
    ConversationRepository,
    MessageRecord,
    NoteRecord,
    TicketRecord,
    utcnow,
)
from insight.customer_cards import CustomerCard, CustomerCards

# how recent the last message of a conversation the assistant holds must be to be listed "live"
ACTIVE_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class QueueEntry:
    conversation: ConversationRecord
    customer: CustomerCard | None
    score: float
    waited_s: float
    last_message: str


@dataclass(frozen=True)
class ConversationDetail:
    conversation: ConversationRecord
    customer: CustomerCard | None
    transcript: list[MessageRecord]
    notes: list[NoteRecord]
    queue_position: int | None


@dataclass(frozen=True)
class Directory:
    conversations: ConversationRepository
    customers: CustomerCards

    def require(self, conversation_id: str) -> ConversationRecord:
        conversation = self.conversations.get(conversation_id)
        if conversation is None:
            raise NotAllowed("no such conversation")
        return conversation

    def require_held_by(self, conversation_id: str, agent: AgentAccount) -> ConversationRecord:
        conversation = self.require(conversation_id)
        if conversation.owner is not Owner.AGENT or conversation.agent_id != agent.id:
            raise NotAllowed("you do not hold this conversation")
        return conversation

    def card(self, conversation: ConversationRecord) -> CustomerCard | None:
        return self.customers.card(conversation.customer_id) if conversation.customer_id else None

    def queue(self) -> list[QueueEntry]:
        """Escalated conversations, most urgent first: priority plus time waited."""
        now = utcnow()
        entries = []
        for conversation in self.conversations.with_owner(Owner.QUEUED):
            waited = (now - (conversation.queued_at or now)).total_seconds()
            last = self.conversations.recent(conversation.id, "shopper", 1)
            entries.append(
                QueueEntry(
                    conversation=conversation,
                    customer=self.card(conversation),
                    score=queue_score(conversation.priority, waited),
                    waited_s=waited,
                    last_message=last[0].text if last else "",
                )
            )
        return sorted(entries, key=lambda e: (-e.score, e.conversation.queued_at or now))

    def queue_position(self, conversation_id: str) -> int | None:
        for position, entry in enumerate(self.queue(), start=1):
            if entry.conversation.id == conversation_id:
                return position
        return None

    def held_by(self, agent: AgentAccount) -> list[ConversationRecord]:
        return self.conversations.held_by(agent.id)

    def with_assistant(self) -> list[ConversationRecord]:
        return self.conversations.active_with_assistant(ACTIVE_WINDOW)

    def detail(self, conversation_id: str) -> ConversationDetail:
        conversation = self.require(conversation_id)
        return ConversationDetail(
            conversation=conversation,
            customer=self.card(conversation),
            transcript=self.conversations.transcript(conversation_id),
            notes=self.conversations.notes(conversation_id),
            queue_position=self.queue_position(conversation_id),
        )

    def tickets(self) -> list[TicketRecord]:
        return self.conversations.tickets()

    def guest_transcript(self, conversation_id: str, after_id: int = 0) -> list[MessageRecord]:
        """A guest's conversation (the HTTP API); a signed-in customer's is read in the widget."""
        if self.require(conversation_id).customer_id is not None:
            raise NotYours("this conversation belongs to a signed-in customer")
        return self.conversations.transcript(conversation_id, after_id)
