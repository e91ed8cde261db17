"""Routing a shopper's message: store it once, then give it to whoever holds the conversation.

While the assistant holds it, the message is read once (intent, emotion, FAQ hit), sent to Rasa
with the gateway's metadata, the replies are shown, and a request for a person in them, or the
mood rule firing on the stored readings, queues the conversation (``handovers``). While the queue
or an agent holds it, storing it is all: the desk shows it. A :class:`PendingMessage` records how
far its turn got, so that a retry after an outage (``delivery``) neither stores it twice nor
asks the assistant twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.guards import clean_text
from bot.logs import conversation_ref
from bot.metrics import GatewayMetrics
from bot.ownership import Owner
from bot.payloads import handoff_in, issued_payloads, shown
from bot.rasa_client import Assistant, RasaUnavailable, neutralise_commands
from bot.switchboard.directory import Directory
from bot.switchboard.errors import NotAllowed, NotYours
from bot.switchboard.fanout import FanOut
from bot.switchboard.handovers import Handovers
from bot.switchboard.locks import ConversationLocks
from bot.switchboard.texts import EMPTY_REPLY, SILENT_REPLY
from insight.conversations import ConversationRecord, ConversationRepository, MessageRecord
from insight.emotion.base import Emotion
from insight.emotion.trajectory import EscalationReason, EscalationRule
from insight.understanding.message import MessageUnderstanding, Understood

log = logging.getLogger(__name__)

# how many of the assistant's last messages a clicked button must have been offered in
ISSUED_BUTTON_LOOKBACK = 20


@dataclass
class PendingMessage:
    """A shopper message on its way, and how far it got (it may meet an outage on the way)."""

    text: str
    client_id: str | None
    open_as_guest: bool = False
    stored: bool = False
    reading: Understood | None = None
    replies: list[dict[str, Any]] | None = None


def emotion_reason(reason: EscalationReason, latest: Sequence[Emotion]) -> str:
    """Why the emotion rule queued a conversation, as the agent desk shows it."""
    if reason == "acute_anger":
        return "the shopper sounds upset (very angry)"
    if reason == "sustained_negative":
        felt = ", ".join(sorted({turn.label for turn in latest}))
        return f"the shopper sounds upset ({felt} in the last {len(latest)} messages)"
    return "the shopper sounds upset (their mood fell sharply)"


@dataclass(frozen=True, kw_only=True)
class MessageRouter:
    conversations: ConversationRepository
    directory: Directory
    fanout: FanOut
    handovers: Handovers
    assistant: Assistant
    understanding: MessageUnderstanding
    escalation_rule: EscalationRule
    locks: ConversationLocks
    metrics: GatewayMetrics

    async def deliver(self, conversation_id: str, message: PendingMessage) -> list[MessageRecord]:
        """Store the shopper's message and get it answered; the caller holds the lock. An
        outage (``errors.OUTAGES``) propagates, with the progress recorded on ``message``."""
        if message.open_as_guest:
            if self.conversations.open(conversation_id, None).customer_id is not None:
                raise NotYours("this conversation belongs to a signed-in customer")
            message.open_as_guest = False
        conversation = self.directory.require(conversation_id)
        if not await self.store_shopper(conversation_id, message):
            return []
        if conversation.owner is not Owner.BOT:
            self.metrics.turns.labels("to_person").inc()
            return []  # the agent (or the queue's preview on the desk) has it now
        forwarded = neutralise_commands(message.text)
        if not forwarded:
            return [await self.fanout.store(conversation_id, "bot", EMPTY_REPLY)]
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
                and self.escalation_rule.may_fire(message.reading.emotion)
                and self.directory.require(conversation_id).owner is Owner.BOT
            ):
                produced += await self._escalate_on_emotion(conversation)
        self.metrics.turns.labels("answered").inc()
        return produced

    async def store_shopper(self, conversation_id: str, message: PendingMessage) -> bool:
        """Store the shopper's message once; False when it was stored before (a message sent
        again after a reconnect)."""
        if message.stored:
            return True
        if message.client_id and self.conversations.by_client_id(
            conversation_id, message.client_id
        ):
            return False
        if message.text:
            with self.metrics.timed("read"):
                reading = await self._read(message.text)
            with self.metrics.timed("store"):
                await self.fanout.store(
                    conversation_id,
                    "shopper",
                    message.text,
                    client_id=message.client_id,
                    reading=reading.emotion if reading else None,
                )
            message.reading = reading
        message.stored = True
        return True

    async def button(
        self, conversation_id: str, payload: str, title: str, client_id: str | None
    ) -> list[MessageRecord]:
        """A button the assistant offered was clicked; payloads it never issued are refused."""
        payload, title = clean_text(payload), clean_text(title)
        async with self.locks.hold(conversation_id):
            conversation = self.directory.require(conversation_id)
            if client_id and self.conversations.by_client_id(conversation_id, client_id):
                return []
            recent = self.conversations.recent(conversation_id, "bot", ISSUED_BUTTON_LOOKBACK)
            if payload not in issued_payloads(m.payload for m in recent):
                raise NotAllowed("this button was not offered in this conversation")
            await self.fanout.store(
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

    async def _read(self, text: str) -> Understood | None:
        """The message's reading (intent, emotion, FAQ hit), made in a worker thread: the
        model's first use loads it and each pass takes milliseconds of CPU, which must not hold
        up the event loop. What is read is what the assistant is sent (commands neutralised)."""
        try:
            return await asyncio.to_thread(
                self.understanding.read, neutralise_commands(text) or text
            )
        except Exception:  # the reading is advisory: a failing model must not lose the message
            log.exception("reading the message failed")
            self.metrics.errors.labels("reading").inc()
            return None

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
            "agents_available": self.fanout.agents_online() > 0,
            **(reading.metadata() if reading is not None else {}),
        }
        await self.fanout.typing(conversation.id, "assistant", True)
        try:
            replies = await self.assistant.send(conversation.id, text, metadata)
        finally:
            await self.fanout.typing(conversation.id, "assistant", False)
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
        produced = await self.fanout.show_replies(conversation.id, replies)
        handoff = next((h for h in map(handoff_in, replies) if h is not None), None)
        if handoff is not None:
            produced += await self.handovers.escalate(
                conversation, handoff.reason, "assistant", handoff.priority
            )
        return produced

    async def _escalate_on_emotion(self, conversation: ConversationRecord) -> list[MessageRecord]:
        """Queue the conversation when insight's escalation rule fires on the stored readings
        (after the assistant has answered: the shopper still gets the answer)."""
        trajectory = self.conversations.shopper_emotions(
            conversation.id, self.escalation_rule.window
        )
        reason = trajectory.escalation(self.escalation_rule).reason
        if reason is None:
            return []
        why = emotion_reason(reason, trajectory.turns[-self.escalation_rule.sustained_turns :])
        return await self.handovers.escalate(conversation, why, "emotion", 0.5)
