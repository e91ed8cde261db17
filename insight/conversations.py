"""Shoppers' conversations: who holds each one, every message both ways, notes and tickets.

The gateway (``bot/``) decides *when* ownership changes; this repository stores it. An owner
change is a compare-and-set on the current owner, so two agents taking the same conversation
at once cannot both win, whichever process they went through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import (
    Agent,
    AgentNote,
    Conversation,
    ConversationMessage,
    ConversationOwner,
    CustomerTokenUse,
    Ticket,
)
from insight.emotion.base import Emotion, as_label
from insight.emotion.trajectory import EmotionTrajectory

SENDERS = frozenset({"shopper", "bot", "agent", "system"})


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class ConversationRecord:
    id: str
    customer_id: int | None
    owner: ConversationOwner
    agent_id: int | None
    agent_name: str | None
    priority: float
    escalation_reason: str | None
    escalation_source: str | None
    queued_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class MessageRecord:
    id: int
    conversation_id: str
    sender: str
    text: str
    payload: dict[str, Any] | None
    emotion: str | None
    emotion_confidence: float | None
    emotion_polarity: float | None
    client_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class NoteRecord:
    id: int
    conversation_id: str
    agent_name: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class TicketRecord:
    id: int
    conversation_id: str | None
    customer_id: int | None
    email: str
    message: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class Escalation:
    reason: str
    source: str
    priority: float


class StaleOwner(RuntimeError):
    """The conversation's owner was not the one expected (someone else changed it first)."""


class UnknownConversation(LookupError):
    pass


def _record(row: Conversation, agent_name: str | None) -> ConversationRecord:
    return ConversationRecord(
        id=row.id,
        customer_id=row.customer_id,
        owner=ConversationOwner(row.owner),
        agent_id=row.agent_id,
        agent_name=agent_name,
        priority=row.priority,
        escalation_reason=row.escalation_reason,
        escalation_source=row.escalation_source,
        queued_at=row.queued_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _message(row: ConversationMessage) -> MessageRecord:
    return MessageRecord(
        id=row.id,
        conversation_id=row.conversation_id,
        sender=row.sender,
        text=row.text,
        payload=row.payload,
        emotion=row.emotion,
        emotion_confidence=row.emotion_confidence,
        emotion_polarity=row.emotion_polarity,
        client_id=row.client_id,
        created_at=row.created_at,
    )


def _reading(row: ConversationMessage) -> Emotion:
    """A stored reading; messages stored before polarity was kept count as neutral in it."""
    return Emotion(
        as_label(row.emotion or "neutral"),
        row.emotion_confidence or 0.0,
        row.emotion_polarity or 0.0,
    )


def _with_agent_name() -> Select[Conversation, str]:
    return select(Conversation, Agent.display_name).outerjoin(
        Agent, Agent.id == Conversation.agent_id
    )


class ConversationRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # -- conversations ---------------------------------------------------------------------

    def open(self, conversation_id: str, customer_id: int | None) -> ConversationRecord:
        """The conversation with this id, created (held by the assistant) when it is new."""
        existing = self.get(conversation_id)
        if existing is not None:
            return existing
        now = utcnow()
        try:
            with self._sessions.begin() as session:
                session.add(
                    Conversation(
                        id=conversation_id,
                        customer_id=customer_id,
                        owner=ConversationOwner.BOT,
                        priority=0.0,
                        created_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            pass  # created concurrently by another request; read it below
        created = self.get(conversation_id)
        if created is None:
            raise UnknownConversation(conversation_id)
        return created

    def get(self, conversation_id: str) -> ConversationRecord | None:
        with self._sessions() as session:
            row = session.execute(
                _with_agent_name().where(Conversation.id == conversation_id)
            ).first()
            return _record(row[0], row[1]) if row else None

    def bind_customer(self, conversation_id: str, customer_id: int) -> None:
        """Attach a verified customer to a guest conversation (never re-assigns one)."""
        with self._sessions.begin() as session:
            session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id, Conversation.customer_id.is_(None))
                .values(customer_id=customer_id, updated_at=utcnow())
            )

    def first_use_of_token(self, token_id: str, conversation_id: str, expires_at: datetime) -> str:
        """The conversation the customer token ``token_id`` opened: ``conversation_id`` when this
        is its first use. Uses of expired tokens are forgotten on the way."""
        try:
            with self._sessions.begin() as session:
                session.execute(
                    delete(CustomerTokenUse).where(CustomerTokenUse.expires_at <= utcnow())
                )
                session.add(
                    CustomerTokenUse(
                        token_id=token_id, conversation_id=conversation_id, expires_at=expires_at
                    )
                )
        except IntegrityError:
            pass  # used before (here, before a restart, or on another gateway)
        with self._sessions() as session:
            first = session.get(CustomerTokenUse, token_id)
            return first.conversation_id if first else conversation_id

    def change_owner(
        self,
        conversation_id: str,
        expected: ConversationOwner,
        new: ConversationOwner,
        *,
        agent_id: int | None = None,
        escalation: Escalation | None = None,
    ) -> ConversationRecord:
        """Move the conversation from ``expected`` to ``new``; StaleOwner when it was not held
        by ``expected``. Queueing records why and how urgent; handing to an agent records who."""
        now = utcnow()
        values: dict[str, Any] = {"owner": new, "updated_at": now}
        if new is ConversationOwner.QUEUED:
            if escalation is None:
                raise ValueError("queueing a conversation needs the escalation")
            values |= {
                "agent_id": None,
                "queued_at": now,
                "priority": escalation.priority,
                "escalation_reason": escalation.reason[:300],
                "escalation_source": escalation.source,
            }
        elif new is ConversationOwner.AGENT:
            if agent_id is None:
                raise ValueError("handing a conversation to an agent needs the agent")
            values |= {"agent_id": agent_id}
            if escalation is not None:
                values |= {
                    "priority": escalation.priority,
                    "escalation_reason": escalation.reason[:300],
                    "escalation_source": escalation.source,
                }
        else:
            values |= {"agent_id": None, "queued_at": None}
        with self._sessions.begin() as session:
            changed = session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id, Conversation.owner == expected)
                .values(**values)
            ).rowcount  # type: ignore[attr-defined]
        if changed != 1:
            raise StaleOwner(f"{conversation_id} is not held by {expected}")
        record = self.get(conversation_id)
        if record is None:
            raise UnknownConversation(conversation_id)
        return record

    def with_owner(self, owner: ConversationOwner) -> list[ConversationRecord]:
        with self._sessions() as session:
            rows = session.execute(
                _with_agent_name()
                .where(Conversation.owner == owner)
                .order_by(Conversation.updated_at.desc())
            ).all()
            return [_record(row[0], row[1]) for row in rows]

    def held_by(self, agent_id: int) -> list[ConversationRecord]:
        return [c for c in self.with_owner(ConversationOwner.AGENT) if c.agent_id == agent_id]

    def active_with_assistant(self, since: timedelta, limit: int = 50) -> list[ConversationRecord]:
        """Conversations the assistant holds whose last message is younger than ``since``."""
        cutoff = utcnow() - since
        with self._sessions() as session:
            last = (
                select(
                    ConversationMessage.conversation_id,
                    func.max(ConversationMessage.created_at).label("last_at"),
                )
                .group_by(ConversationMessage.conversation_id)
                .subquery()
            )
            rows = session.execute(
                _with_agent_name()
                .join(last, last.c.conversation_id == Conversation.id)
                .where(Conversation.owner == ConversationOwner.BOT, last.c.last_at >= cutoff)
                .order_by(last.c.last_at.desc())
                .limit(limit)
            ).all()
            return [_record(row[0], row[1]) for row in rows]

    # -- messages --------------------------------------------------------------------------

    def add_message(
        self,
        conversation_id: str,
        sender: str,
        text: str,
        *,
        payload: dict[str, Any] | None = None,
        emotion: Emotion | None = None,
        client_id: str | None = None,
    ) -> tuple[MessageRecord, bool]:
        """Store one message (with the emotion read from it, if any); returns it and whether it
        is new. A ``client_id`` seen before in this conversation returns the message stored the
        first time (a re-sent message): the unique constraint finds it, so a new message costs
        no extra query."""
        if sender not in SENDERS:
            raise ValueError(f"unknown sender {sender!r}")
        now = utcnow()
        row = ConversationMessage(
            conversation_id=conversation_id,
            sender=sender,
            text=text,
            payload=payload,
            emotion=emotion.label if emotion else None,
            emotion_confidence=round(emotion.confidence, 3) if emotion else None,
            emotion_polarity=round(emotion.polarity, 3) if emotion else None,
            client_id=client_id,
            created_at=now,
        )
        try:
            with self._sessions.begin() as session:
                session.add(row)
                session.execute(
                    update(Conversation)
                    .where(Conversation.id == conversation_id)
                    .values(updated_at=now)
                )
        except IntegrityError:
            if client_id is None:
                raise
            stored = self.by_client_id(conversation_id, client_id)
            if stored is None:
                raise
            return stored, False
        return _message(row), True

    def by_client_id(self, conversation_id: str, client_id: str) -> MessageRecord | None:
        with self._sessions() as session:
            row = session.scalar(
                select(ConversationMessage).where(
                    ConversationMessage.conversation_id == conversation_id,
                    ConversationMessage.client_id == client_id,
                )
            )
            return _message(row) if row else None

    def transcript(self, conversation_id: str, after_id: int = 0) -> list[MessageRecord]:
        """The conversation's messages in the order they happened, after ``after_id``."""
        with self._sessions() as session:
            rows = session.scalars(
                select(ConversationMessage)
                .where(
                    ConversationMessage.conversation_id == conversation_id,
                    ConversationMessage.id > after_id,
                )
                .order_by(ConversationMessage.id)
            ).all()
            return [_message(row) for row in rows]

    def recent(self, conversation_id: str, sender: str, limit: int) -> list[MessageRecord]:
        """The last ``limit`` messages from ``sender``, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(ConversationMessage)
                .where(
                    ConversationMessage.conversation_id == conversation_id,
                    ConversationMessage.sender == sender,
                )
                .order_by(ConversationMessage.id.desc())
                .limit(limit)
            ).all()
            return [_message(row) for row in reversed(rows)]

    def shopper_emotions(self, conversation_id: str, limit: int) -> EmotionTrajectory:
        """The emotions read from the shopper's last ``limit`` messages that have one."""
        with self._sessions() as session:
            rows = session.scalars(
                select(ConversationMessage)
                .where(
                    ConversationMessage.conversation_id == conversation_id,
                    ConversationMessage.sender == "shopper",
                    ConversationMessage.emotion.is_not(None),
                )
                .order_by(ConversationMessage.id.desc())
                .limit(limit)
            ).all()
            return EmotionTrajectory(tuple(_reading(row) for row in reversed(rows)))

    # -- notes and tickets -----------------------------------------------------------------

    def add_note(self, conversation_id: str, agent_id: int, text: str) -> NoteRecord:
        with self._sessions.begin() as session:
            row = AgentNote(
                conversation_id=conversation_id, agent_id=agent_id, text=text, created_at=utcnow()
            )
            session.add(row)
            session.flush()
            agent = session.get(Agent, agent_id)
            return NoteRecord(
                id=row.id,
                conversation_id=conversation_id,
                agent_name=agent.display_name if agent else "",
                text=text,
                created_at=row.created_at,
            )

    def notes(self, conversation_id: str) -> list[NoteRecord]:
        with self._sessions() as session:
            rows = session.execute(
                select(AgentNote, Agent.display_name)
                .join(Agent, Agent.id == AgentNote.agent_id)
                .where(AgentNote.conversation_id == conversation_id)
                .order_by(AgentNote.id)
            ).all()
            return [
                NoteRecord(
                    id=note.id,
                    conversation_id=note.conversation_id,
                    agent_name=name,
                    text=note.text,
                    created_at=note.created_at,
                )
                for note, name in rows
            ]

    def create_ticket(
        self, conversation_id: str | None, customer_id: int | None, email: str, message: str
    ) -> TicketRecord:
        with self._sessions.begin() as session:
            row = Ticket(
                conversation_id=conversation_id,
                customer_id=customer_id,
                email=email,
                message=message,
                status="open",
                created_at=utcnow(),
            )
            session.add(row)
            session.flush()
            return _ticket(row)

    def tickets(self, status: str = "open") -> list[TicketRecord]:
        with self._sessions() as session:
            rows = session.scalars(
                select(Ticket).where(Ticket.status == status).order_by(Ticket.id.desc())
            ).all()
            return [_ticket(row) for row in rows]


def _ticket(row: Ticket) -> TicketRecord:
    return TicketRecord(
        id=row.id,
        conversation_id=row.conversation_id,
        customer_id=row.customer_id,
        email=row.email,
        message=row.message,
        status=row.status,
        created_at=row.created_at,
    )
