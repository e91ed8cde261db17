"""The switchboard: routes every message of a conversation to whoever holds it, and moves the
conversation between the assistant, the queue and the agents.

Each conversation has one asyncio lock. Storing a message, routing it, and any owner change all
happen under it, so a message typed while an agent takes over goes either to the assistant
(before) or to the agent (after), never to both and never nowhere. Ownership lives in the database
(``insight.conversations``); the Rasa tracker is paused exactly while the assistant is not in
charge (``bot.ownership.tracker_effect``). One gateway process serves a conversation at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import re
import secrets
from collections import deque
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.guards import MAX_MESSAGE_CHARS, TOO_LONG, clean_text
from bot.handback import FALLBACK_TEXT, Handback, HandbackTask
from bot.identity import ShopperIdentities
from bot.logs import conversation_ref
from bot.metrics import GatewayMetrics
from bot.ownership import Handoff, Owner, TrackerEffect, next_owner, tracker_effect
from bot.payloads import handoff_in, issued_payloads, shown
from bot.priority import customer_value, escalation_priority, queue_score
from bot.rasa_client import Assistant, RasaUnavailable, UnknownIntent, neutralise_commands
from bot.tokens import CustomerTokens
from bot.views import (
    conversation_view,
    desk_message_view,
    note_view,
    shopper_message_view,
    status_view,
)
from insight.agents import AgentAccount
from insight.conversations import (
    ConversationRecord,
    ConversationRepository,
    Escalation,
    MessageRecord,
    NoteRecord,
    StaleOwner,
    TicketRecord,
    utcnow,
)
from insight.customer_cards import CustomerCard, CustomerCards
from insight.emotion.base import Emotion
from insight.emotion.trajectory import EscalationReason, EscalationRule
from insight.understanding.message import MessageUnderstanding, Understood

log = logging.getLogger(__name__)

CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
ISSUED_BUTTON_LOOKBACK = 20
ACTIVE_WINDOW = timedelta(minutes=30)

# The database errors that mean "not reachable right now" (stopped, renamed, locked, unreadable),
# as opposed to a bug: messages are held and delivered when it is back.
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)
# What makes a shopper's message wait: the assistant or the database out.
OUTAGES = (RasaUnavailable, OperationalError, InterfaceError, PoolTimeout)
REDELIVERY_EVERY_S = 2.0
# Held messages wait in memory: how many one conversation, and the gateway as a whole, may hold.
MAX_HELD_PER_CONVERSATION = 20
MAX_HELD = 10_000

UNAVAILABLE_REPLY = (
    "Give me a moment: I'm having trouble answering right now. I've kept your message and "
    "will answer as soon as I can, or press “Talk to a person” to reach our team."
)
SILENT_REPLY = (
    "Sorry, give me a moment: I couldn't finish that just now. Please try again in a minute, "
    "or press “Talk to a person” and I'll connect you to someone from our team."
)
DATABASE_DOWN_REPLY = (
    "We're having a technical problem right now. Your message is safe with us and we'll answer "
    "it as soon as we're back, in a few moments."
)
EMPTY_REPLY = "I'm here whenever you're ready. How can I help?"
QUEUED_TEXT = "I'm connecting you to a person from our support team."
NO_AGENT_TEXT = (
    "No one from our support team is online right now. Leave your email and a message, "
    "and we'll get back to you."
)
SHOPPER_ASKED = "the shopper asked for a person"
CATCHING_UP = (
    "We're still catching up with the messages sent so far. Please wait a moment before "
    "sending more."
)


class Outbox(Protocol):
    """Where the switchboard's news goes: the shopper's open tabs and the agent desks."""

    async def to_conversation(
        self, conversation_id: str, event: str, data: dict[str, Any]
    ) -> None: ...

    async def to_desk(self, event: str, data: dict[str, Any]) -> None: ...

    def agents_online(self) -> int: ...


class NotAllowed(RuntimeError):
    """The request does not fit the conversation's state (wrong owner, not issued, bad input)."""


class NotYours(NotAllowed):
    """A guest (the HTTP API) reached for a signed-in customer's conversation."""


class CatchingUp(NotAllowed):
    """An outage goes on and the gateway holds as many messages as it may: try again later."""


class HandbackFailed(RuntimeError):
    """The assistant could not take the conversation back; it stays with the agent."""


@dataclass
class _Held:
    """A shopper message that met an outage, and how far it got before it did."""

    text: str
    client_id: str | None
    open_as_guest: bool = False
    stored: bool = False
    reading: Understood | None = None
    replies: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class ShopperSession:
    conversation: ConversationRecord
    customer: CustomerCard | None
    identity_error: str | None
    transcript: list[MessageRecord]
    queue_position: int | None


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


@dataclass
class _Locks:
    """One lock per conversation, dropped when nobody holds or waits for it."""

    held: dict[str, tuple[asyncio.Lock, int]] = field(default_factory=dict)

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        lock, users = self.held.get(conversation_id, (asyncio.Lock(), 0))
        self.held[conversation_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self.held[conversation_id]
            if users == 1:
                del self.held[conversation_id]
            else:
                self.held[conversation_id] = (lock, users - 1)


def emotion_reason(reason: EscalationReason, latest: Sequence[Emotion]) -> str:
    """Why the emotion rule queued a conversation, as the agent desk shows it."""
    if reason == "acute_anger":
        return "the shopper sounds upset (very angry)"
    if reason == "sustained_negative":
        felt = ", ".join(sorted({turn.label for turn in latest}))
        return f"the shopper sounds upset ({felt} in the last {len(latest)} messages)"
    return "the shopper sounds upset (their mood fell sharply)"


def new_conversation_id() -> str:
    return secrets.token_urlsafe(18)


class Switchboard:
    def __init__(
        self,
        *,
        conversations: ConversationRepository,
        customers: CustomerCards,
        assistant: Assistant,
        tokens: CustomerTokens,
        outbox: Outbox,
        escalation_rule: EscalationRule,
        understanding: MessageUnderstanding,
        metrics: GatewayMetrics | None = None,
    ) -> None:
        self._conversations = conversations
        self._customers = customers
        self._assistant = assistant
        self._identities = ShopperIdentities(tokens, customers, conversations)
        self._outbox = outbox
        self._rule = escalation_rule
        self._understanding = understanding
        self._locks = _Locks()
        self._held: dict[str, deque[_Held]] = {}
        # How many messages ``_held`` holds, kept as they come and go: the cap is checked on
        # every held message, and counting them afresh would walk every conversation.
        self._held_count = 0
        self._notice_ids = itertools.count(1)
        self.metrics = metrics or GatewayMetrics()
        self.metrics.watch(self.held, self._queue_length)

    # -- the shopper's side ---------------------------------------------------------------

    async def open_session(
        self, conversation_id: str | None, token: str | None, after_id: int = 0
    ) -> ShopperSession:
        """Resume the shopper's conversation (or start one) and attach the verified customer.

        A conversation of one customer is never resumed with another customer's token: that
        starts a new conversation. Without a token, knowing the (unguessable) id resumes it.
        """
        identity = self._identities.of(token)
        customer = identity.customer
        existing = (
            self._conversations.get(conversation_id)
            if conversation_id and CONVERSATION_ID.match(conversation_id)
            else None
        )
        if existing and customer and existing.customer_id not in (None, customer.customer_id):
            existing = None
        target = existing.id if existing else new_conversation_id()
        identity = self._identities.for_conversation(identity, target)
        customer = identity.customer
        if existing is None:
            conversation = self._conversations.open(
                target, customer.customer_id if customer else None
            )
        else:
            if customer and existing.customer_id is None:
                self._conversations.bind_customer(existing.id, customer.customer_id)
            conversation = self._conversations.get(existing.id) or existing
        if customer is None and conversation.customer_id is not None:
            customer = self.card(conversation)
        return ShopperSession(
            conversation=conversation,
            customer=customer,
            identity_error=identity.error,
            transcript=self._conversations.transcript(conversation.id, after_id),
            queue_position=self.queue_position(conversation.id),
        )

    async def shopper_message(
        self,
        conversation_id: str,
        text: str,
        client_id: str | None,
        *,
        open_as_guest: bool = False,
    ) -> list[MessageRecord]:
        """Store and route what the shopper typed; returns the replies it produced right away.

        ``open_as_guest`` starts the conversation as a guest's when it is new (the HTTP API).
        When the assistant or the database is out, the message is held: the shopper is told once,
        and the held messages go through in order when it is back (:meth:`redeliver`). Past
        ``MAX_HELD_PER_CONVERSATION`` (or ``MAX_HELD`` in all) it is refused with
        :class:`CatchingUp`.
        """
        text = clean_text(text)
        if len(text) > MAX_MESSAGE_CHARS:
            raise NotAllowed(TOO_LONG)
        message = _Held(text, client_id, open_as_guest=open_as_guest)
        async with self._locks.hold(conversation_id):
            held = self._held.get(conversation_id)
            if held is not None:  # earlier messages wait for an outage to end: keep the order
                if client_id and any(h.client_id == client_id for h in held):
                    return []
                if len(held) >= MAX_HELD_PER_CONVERSATION or self.held() >= MAX_HELD:
                    raise CatchingUp(CATCHING_UP)
                if not any(h.open_as_guest for h in (*held, message)):  # stored now if it can be
                    with contextlib.suppress(*DATABASE_DOWN):
                        if not await self._store_shopper(conversation_id, message):
                            return []
                held.append(message)
                self._held_count += 1
                return []
            try:
                with self.metrics.turn_seconds.time():
                    return await self._deliver(conversation_id, message)
            except OUTAGES as outage:
                self.metrics.errors.labels(type(outage).__name__).inc()
                self.metrics.turns.labels("held").inc()
                if self.held() >= MAX_HELD:
                    raise CatchingUp(CATCHING_UP) from outage
                log.warning(
                    "holding a message of %s: %r", conversation_ref(conversation_id), outage
                )
                self._held[conversation_id] = deque([message])
                self._held_count += 1
                return [await self._tell_held(conversation_id, outage)]

    def held(self) -> int:
        """How many shopper messages wait for the assistant or the database."""
        return self._held_count

    def _queue_length(self) -> float:
        """For the metrics: NaN while the database is out (a scrape must not fail)."""
        try:
            return len(self.queue())
        except DATABASE_DOWN:
            return math.nan

    async def redeliver(self) -> int:
        """Try the held messages again, oldest first in each conversation; returns how many
        went through. A conversation stops at its first message that still meets an outage."""
        delivered = 0
        for conversation_id in list(self._held):
            async with self._locks.hold(conversation_id):
                queue = self._held.get(conversation_id, deque())
                while queue:
                    try:
                        await self._deliver(conversation_id, queue[0])
                    except OUTAGES:
                        break
                    except Exception:  # a bug must not wedge the conversation's later messages
                        log.exception(
                            "dropping a held message of %s", conversation_ref(conversation_id)
                        )
                    queue.popleft()
                    self._held_count -= 1
                    delivered += 1
                if not queue:
                    self._held.pop(conversation_id, None)
        return delivered

    async def keep_redelivering(self, every_s: float = REDELIVERY_EVERY_S) -> None:
        """Run :meth:`redeliver` every ``every_s`` seconds while messages are held (a task the
        application starts with itself)."""
        while True:
            await asyncio.sleep(every_s)
            if self._held:
                delivered = await self.redeliver()
                if delivered:
                    log.info("delivered %d held message(s)", delivered)

    async def shopper_button(
        self, conversation_id: str, payload: str, title: str, client_id: str | None
    ) -> list[MessageRecord]:
        """A button the assistant offered was clicked; payloads it never issued are refused."""
        payload, title = clean_text(payload), clean_text(title)
        async with self._locks.hold(conversation_id):
            conversation = self._require(conversation_id)
            if client_id and self._conversations.by_client_id(conversation_id, client_id):
                return []
            recent = self._conversations.recent(conversation_id, "bot", ISSUED_BUTTON_LOOKBACK)
            if payload not in issued_payloads(m.payload for m in recent):
                raise NotAllowed("this button was not offered in this conversation")
            await self._store(
                conversation_id,
                "shopper",
                title[:200] or payload,
                payload={"button": payload},
                client_id=client_id,
            )
            if conversation.owner is not Owner.BOT:
                return []
            try:
                replies = await self._ask(conversation, payload)
            except RasaUnavailable as error:  # a click is cheap to repeat: no need to hold it
                log.warning(
                    "Rasa unavailable for a button of %s: %s",
                    conversation_ref(conversation_id),
                    error,
                )
                replies = [{"text": SILENT_REPLY}]
            return await self._act_on(conversation, replies)

    async def shopper_asks_for_agent(self, conversation_id: str) -> None:
        async with self._locks.hold(conversation_id):
            conversation = self._require(conversation_id)
            if conversation.owner is Owner.BOT:
                await self._escalate(conversation, SHOPPER_ASKED, "shopper", 0.5)
            else:
                await self._send_status(conversation_id)

    async def leave_message(self, conversation_id: str, email: str, text: str) -> TicketRecord:
        """The shopper leaves a message for the team (no agent online, or tired of waiting)."""
        email, text = clean_text(email), clean_text(text)[:MAX_MESSAGE_CHARS]
        if not EMAIL.match(email):
            raise NotAllowed("please give a valid email address")
        if not text:
            raise NotAllowed("please write a message")
        async with self._locks.hold(conversation_id):
            conversation = self._require(conversation_id)
            ticket = self._conversations.create_ticket(
                conversation_id, conversation.customer_id, email, text
            )
            if conversation.owner is Owner.QUEUED:
                await self._change(conversation, Handoff.WITHDRAW)
            await self._store(
                conversation_id,
                "system",
                f"Thanks! We've got your message (ticket #{ticket.id}) and will answer at {email}.",
            )
        await self._outbox.to_desk("tickets", {"open": len(self.tickets())})
        return ticket

    # -- the agent's side -----------------------------------------------------------------

    async def take(self, conversation_id: str, agent: AgentAccount) -> ConversationRecord:
        """The agent takes a queued conversation, or picks one the assistant holds."""
        async with self._locks.hold(conversation_id):
            conversation = self._require(conversation_id)
            if conversation.owner is Owner.QUEUED:
                taken = await self._change(conversation, Handoff.TAKE, agent=agent)
            elif conversation.owner is Owner.BOT:
                escalation = Escalation(
                    reason=f"picked from the live list by {agent.display_name}",
                    source="agent",
                    priority=conversation.priority,
                )
                taken = await self._change(
                    conversation, Handoff.PICK, agent=agent, escalation=escalation
                )
            else:
                raise NotAllowed(f"{conversation.agent_name or 'another agent'} already has it")
            await self._store(
                conversation_id,
                "system",
                f"{agent.display_name} from our support team has joined the conversation.",
                payload={"agent": agent.display_name},
            )
            return taken

    async def agent_message(
        self, conversation_id: str, agent: AgentAccount, text: str, client_id: str | None
    ) -> MessageRecord:
        text = clean_text(text)[:MAX_MESSAGE_CHARS]
        if not text:
            raise NotAllowed("the message is empty")
        async with self._locks.hold(conversation_id):
            self._held_by(conversation_id, agent)
            return await self._store(
                conversation_id,
                "agent",
                text,
                payload={"agent": agent.display_name},
                client_id=client_id,
            )

    async def agent_typing(self, conversation_id: str, agent: AgentAccount) -> None:
        conversation = self._conversations.get(conversation_id)
        if conversation and conversation.owner is Owner.AGENT and conversation.agent_id == agent.id:
            await self._outbox.to_conversation(
                conversation_id, "typing", {"who": agent.display_name, "on": True}
            )

    async def add_note(self, conversation_id: str, agent: AgentAccount, text: str) -> NoteRecord:
        text = clean_text(text)[:MAX_MESSAGE_CHARS]
        if not text:
            raise NotAllowed("the note is empty")
        self._require(conversation_id)
        note = self._conversations.add_note(conversation_id, agent.id, text)
        await self._outbox.to_desk(
            "note", {"conversation_id": conversation_id, "note": note_view(note)}
        )
        return note

    async def hand_back(
        self, conversation_id: str, agent: AgentAccount, handback: Handback
    ) -> ConversationRecord:
        """Give the conversation back to the assistant, which greets the shopper back or does
        the task the agent chose. When the assistant cannot, the agent keeps the conversation."""
        async with self._locks.hold(conversation_id):
            conversation = self._held_by(conversation_id, agent)
            intent, entities = handback.trigger(agent.display_name)
            try:
                await self._assistant.resume(conversation_id)
                replies = await self._assistant.trigger_intent(conversation_id, intent, entities)
            except UnknownIntent:
                if handback.task is not HandbackTask.BACK_TO_ASSISTANT:
                    await self._pause_quietly(conversation_id)
                    raise HandbackFailed(
                        f"the assistant cannot do '{handback.task}' yet (no {intent} intent)"
                    ) from None
                replies = [{"text": FALLBACK_TEXT}]
            except RasaUnavailable as error:
                await self._pause_quietly(conversation_id)
                raise HandbackFailed("the assistant is not answering; try again") from error
            # The tracker is resumed already: record the owner change without a second resume.
            back = self._conversations.change_owner(
                conversation_id, Owner.AGENT, next_owner(conversation.owner, Handoff.HAND_BACK)
            )
            await self._store(
                conversation_id,
                "system",
                f"{agent.display_name} handed the conversation back to the assistant.",
            )
            await self._show_replies(conversation_id, replies)
            await self._announce(back)
            return back

    # -- views ----------------------------------------------------------------------------

    def queue(self) -> list[QueueEntry]:
        """Escalated conversations, most urgent first: priority plus time waited."""
        now = utcnow()
        entries = []
        for conversation in self._conversations.with_owner(Owner.QUEUED):
            waited = (now - (conversation.queued_at or now)).total_seconds()
            last = self._conversations.recent(conversation.id, "shopper", 1)
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
        return self._conversations.held_by(agent.id)

    def with_assistant(self) -> list[ConversationRecord]:
        return self._conversations.active_with_assistant(ACTIVE_WINDOW)

    def conversation(self, conversation_id: str) -> ConversationRecord:
        return self._require(conversation_id)

    def detail(self, conversation_id: str) -> ConversationDetail:
        conversation = self._require(conversation_id)
        return ConversationDetail(
            conversation=conversation,
            customer=self.card(conversation),
            transcript=self._conversations.transcript(conversation_id),
            notes=self._conversations.notes(conversation_id),
            queue_position=self.queue_position(conversation_id),
        )

    def tickets(self) -> list[TicketRecord]:
        return self._conversations.tickets()

    def guest_transcript(self, conversation_id: str, after_id: int = 0) -> list[MessageRecord]:
        """A guest's conversation (the HTTP API); a signed-in customer's is read in the widget."""
        if self._require(conversation_id).customer_id is not None:
            raise NotYours("this conversation belongs to a signed-in customer")
        return self._conversations.transcript(conversation_id, after_id)

    # -- inside ---------------------------------------------------------------------------

    def _require(self, conversation_id: str) -> ConversationRecord:
        conversation = self._conversations.get(conversation_id)
        if conversation is None:
            raise NotAllowed("no such conversation")
        return conversation

    def _current_owner(self, conversation_id: str) -> Owner:
        return self._require(conversation_id).owner

    def _held_by(self, conversation_id: str, agent: AgentAccount) -> ConversationRecord:
        conversation = self._require(conversation_id)
        if conversation.owner is not Owner.AGENT or conversation.agent_id != agent.id:
            raise NotAllowed("you do not hold this conversation")
        return conversation

    def card(self, conversation: ConversationRecord) -> CustomerCard | None:
        return self._customers.card(conversation.customer_id) if conversation.customer_id else None

    async def _read(self, text: str) -> Understood | None:
        """The message's reading (intent, emotion, FAQ hit), made in a worker thread: the
        model's first use loads it and each pass takes milliseconds of CPU, which must not hold
        up the event loop. What is read is what the assistant is sent (commands neutralised)."""
        try:
            return await asyncio.to_thread(
                self._understanding.read, neutralise_commands(text) or text
            )
        except Exception:  # the reading is advisory: a failing model must not lose the message
            log.exception("reading the message failed")
            self.metrics.errors.labels("reading").inc()
            return None

    async def _store(
        self,
        conversation_id: str,
        sender: str,
        text: str,
        *,
        payload: dict[str, Any] | None = None,
        client_id: str | None = None,
        reading: Emotion | None = None,
    ) -> MessageRecord:
        message, _ = self._conversations.add_message(
            conversation_id, sender, text, payload=payload, client_id=client_id, emotion=reading
        )
        await self._outbox.to_conversation(
            conversation_id, "message", shopper_message_view(message)
        )
        await self._outbox.to_desk(
            "message", {"conversation_id": conversation_id, "message": desk_message_view(message)}
        )
        return message

    async def _deliver(self, conversation_id: str, message: _Held) -> list[MessageRecord]:
        """Store the shopper's message and get it answered, recording progress on ``message``
        so that a retry after an outage neither stores it twice nor asks the assistant twice."""
        if message.open_as_guest:
            if self._conversations.open(conversation_id, None).customer_id is not None:
                raise NotYours("this conversation belongs to a signed-in customer")
            message.open_as_guest = False
        conversation = self._require(conversation_id)
        if not await self._store_shopper(conversation_id, message):
            return []
        if conversation.owner is not Owner.BOT:
            self.metrics.turns.labels("to_person").inc()
            return []  # the agent (or the queue's preview on the desk) has it now
        forwarded = neutralise_commands(message.text)
        if not forwarded:
            return [await self._store(conversation_id, "bot", EMPTY_REPLY)]
        if message.replies is None:
            try:
                with self.metrics.timed("assistant"):
                    message.replies = await self._ask(conversation, forwarded, message.reading)
            except RasaUnavailable as error:
                if not error.maybe_delivered:
                    raise  # it never got there: hold it and send it again later
                # Rasa may be working on it still: sending it again could answer it twice
                log.warning(
                    "no answer from Rasa for %s: %s", conversation_ref(conversation_id), error
                )
                message.replies = [{"text": SILENT_REPLY}]
        with self.metrics.timed("replies"):
            produced = await self._act_on(conversation, message.replies)
            if (
                message.reading is not None
                and self._rule.may_fire(message.reading.emotion)
                and self._current_owner(conversation_id) is Owner.BOT
            ):
                produced += await self._escalate_on_emotion(conversation)
        self.metrics.turns.labels("answered").inc()
        return produced

    async def _store_shopper(self, conversation_id: str, message: _Held) -> bool:
        """Store the shopper's message once; False when it was stored before (a message sent
        again after a reconnect)."""
        if message.stored:
            return True
        if message.client_id and self._conversations.by_client_id(
            conversation_id, message.client_id
        ):
            return False
        if message.text:
            with self.metrics.timed("read"):
                reading = await self._read(message.text)
            with self.metrics.timed("store"):
                await self._store(
                    conversation_id,
                    "shopper",
                    message.text,
                    client_id=message.client_id,
                    reading=reading.emotion if reading else None,
                )
            message.reading = reading
        message.stored = True
        return True

    async def _tell_held(self, conversation_id: str, outage: Exception) -> MessageRecord:
        """Tell the shopper their message waits. With the database out, the notice cannot be
        stored: it is sent as a message of its own with a negative id."""
        if isinstance(outage, RasaUnavailable):
            try:
                return await self._store(conversation_id, "bot", UNAVAILABLE_REPLY)
            except DATABASE_DOWN:
                pass
        notice = MessageRecord(
            id=-next(self._notice_ids),
            conversation_id=conversation_id,
            sender="system",
            text=DATABASE_DOWN_REPLY,
            payload=None,
            emotion=None,
            emotion_confidence=None,
            emotion_polarity=None,
            client_id=None,
            created_at=utcnow(),
        )
        await self._outbox.to_conversation(conversation_id, "message", shopper_message_view(notice))
        return notice

    async def _ask(
        self, conversation: ConversationRecord, text: str, reading: Understood | None = None
    ) -> list[dict[str, Any]]:
        """The assistant's replies; when it answers with nothing at all (an action failed, the
        action server is down), a polite word instead of silence.

        The metadata is the gateway's alone (shoppers send text, never metadata): the verified
        customer, whether a person could take over now, and the message's reading (intent
        ranking for Rasa's ``bot.rasa_nlu`` component, emotion, FAQ hit), so that neither Rasa
        nor the action server reads the message again.
        """
        metadata: dict[str, Any] = {
            "customer_id": conversation.customer_id,
            "agents_available": self._outbox.agents_online() > 0,
            **(reading.metadata() if reading is not None else {}),
        }
        await self._outbox.to_conversation(
            conversation.id, "typing", {"who": "assistant", "on": True}
        )
        try:
            replies = await self._assistant.send(conversation.id, text, metadata)
        finally:
            await self._outbox.to_conversation(
                conversation.id, "typing", {"who": "assistant", "on": False}
            )
        answered = any(shown(r) is not None or handoff_in(r) is not None for r in replies)
        if not answered:
            log.warning(
                "the assistant answered %s with nothing to show", conversation_ref(conversation.id)
            )
            return [{"text": SILENT_REPLY}]
        return replies

    async def _act_on(
        self, conversation: ConversationRecord, replies: list[dict[str, Any]]
    ) -> list[MessageRecord]:
        """Show the assistant's replies and follow its request for a person, if it made one."""
        produced = await self._show_replies(conversation.id, replies)
        handoff = next((h for h in map(handoff_in, replies) if h is not None), None)
        if handoff is not None:
            produced += await self._escalate(
                conversation, handoff.reason, "assistant", handoff.priority
            )
        return produced

    async def _show_replies(
        self, conversation_id: str, replies: list[dict[str, Any]]
    ) -> list[MessageRecord]:
        produced = []
        for reply in replies:
            visible = shown(reply)
            if visible is not None:
                produced.append(
                    await self._store(conversation_id, "bot", visible.text, payload=visible.payload)
                )
        return produced

    async def _escalate_on_emotion(self, conversation: ConversationRecord) -> list[MessageRecord]:
        """Queue the conversation when insight's escalation rule fires on the stored readings
        (after the assistant has answered: the shopper still gets the answer)."""
        trajectory = self._conversations.shopper_emotions(conversation.id, self._rule.window)
        reason = trajectory.escalation(self._rule).reason
        if reason is None:
            return []
        why = emotion_reason(reason, trajectory.turns[-self._rule.sustained_turns :])
        return await self._escalate(conversation, why, "emotion", 0.5)

    async def _escalate(
        self, conversation: ConversationRecord, reason: str, source: str, requested: float
    ) -> list[MessageRecord]:
        self.metrics.handovers.labels(source).inc()
        if self._outbox.agents_online() == 0:
            if source == "assistant":
                # The assistant's handoff action paused its tracker; nobody will take over.
                await self._resume_quietly(conversation.id)
            return [
                await self._store(
                    conversation.id, "system", NO_AGENT_TEXT, payload={"ticket_form": True}
                )
            ]
        latest = self._conversations.recent(conversation.id, "shopper", 1)
        card = self.card(conversation)
        escalation = Escalation(
            reason=reason,
            source=source,
            priority=escalation_priority(
                requested,
                latest[0].emotion if latest else None,
                (latest[0].emotion_confidence or 0.0) if latest else 0.0,
                customer_value(card),
            ),
        )
        await self._change(conversation, Handoff.ESCALATE, escalation=escalation)
        return [await self._store(conversation.id, "system", QUEUED_TEXT)]

    async def _change(
        self,
        conversation: ConversationRecord,
        event: Handoff,
        *,
        agent: AgentAccount | None = None,
        escalation: Escalation | None = None,
    ) -> ConversationRecord:
        after = next_owner(conversation.owner, event)
        try:
            changed = self._conversations.change_owner(
                conversation.id,
                conversation.owner,
                after,
                agent_id=agent.id if agent else None,
                escalation=escalation,
            )
        except StaleOwner as error:
            raise NotAllowed("the conversation changed hands meanwhile; reload") from error
        effect = tracker_effect(conversation.owner, after)
        if effect is TrackerEffect.PAUSE:
            await self._pause_quietly(conversation.id)
        elif effect is TrackerEffect.RESUME:
            await self._resume_quietly(conversation.id)
        await self._announce(changed)
        return changed

    async def _pause_quietly(self, conversation_id: str) -> None:
        """Pause the tracker; if Rasa is down it is harmless, the gateway sends it nothing."""
        try:
            await self._assistant.pause(conversation_id)
        except RasaUnavailable as error:
            log.warning("could not pause %s in Rasa: %s", conversation_ref(conversation_id), error)

    async def _resume_quietly(self, conversation_id: str) -> None:
        try:
            await self._assistant.resume(conversation_id)
        except RasaUnavailable as error:
            log.warning("could not resume %s in Rasa: %s", conversation_ref(conversation_id), error)

    async def _announce(self, changed: ConversationRecord) -> None:
        """Tell the shopper and every desk; queue positions may have moved for everyone queued."""
        await self._outbox.to_desk("conversation", conversation_view(changed))
        queue = self.queue()
        positions = {entry.conversation.id: n for n, entry in enumerate(queue, start=1)}
        await self._send_status(changed.id, positions.get(changed.id), changed)
        for entry in queue:
            if entry.conversation.id != changed.id:
                await self._send_status(entry.conversation.id, positions[entry.conversation.id])
        await self._outbox.to_desk("queue", {"length": len(queue)})

    async def _send_status(
        self,
        conversation_id: str,
        position: int | None = None,
        conversation: ConversationRecord | None = None,
    ) -> None:
        conversation = conversation or self._require(conversation_id)
        if position is None and conversation.owner is Owner.QUEUED:
            position = self.queue_position(conversation_id)
        await self._outbox.to_conversation(
            conversation_id, "status", status_view(conversation, position)
        )
