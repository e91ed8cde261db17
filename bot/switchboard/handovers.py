"""Ownership changes: the conversation moves between the assistant, the queue and an agent.

Which moves exist is ``bot.ownership``'s pure state machine; this module carries them out. Each
change is a compare-and-set in the database (``insight.conversations``: two agents taking the
same conversation cannot both win), then the Rasa tracker is paused or resumed so that it is
paused exactly while the assistant is not in charge, then everyone is told (``fanout``).
The public methods take the conversation's lock; :meth:`Handovers.escalate` is called by the
message router, which holds it already.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from bot.guards import MAX_MESSAGE_CHARS, clean_text
from bot.handback import FALLBACK_TEXT, Handback, HandbackTask
from bot.logs import conversation_ref
from bot.metrics import GatewayMetrics
from bot.ownership import Handoff, Owner, TrackerEffect, next_owner, tracker_effect
from bot.priority import customer_value, escalation_priority
from bot.rasa_client import Assistant, RasaUnavailable, UnknownIntent
from bot.switchboard.directory import Directory
from bot.switchboard.errors import HandbackFailed, NotAllowed
from bot.switchboard.fanout import FanOut
from bot.switchboard.locks import ConversationLocks
from bot.switchboard.texts import (
    NO_AGENT_TEXT,
    QUEUED_TEXT,
    SHOPPER_ASKED,
    agent_joined,
    handed_back,
    message_left,
)
from insight.agents import AgentAccount
from insight.conversations import (
    ConversationRecord,
    ConversationRepository,
    Escalation,
    MessageRecord,
    StaleOwner,
    TicketRecord,
)

log = logging.getLogger(__name__)

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


@dataclass(frozen=True)
class Handovers:
    conversations: ConversationRepository
    directory: Directory
    fanout: FanOut
    assistant: Assistant
    locks: ConversationLocks
    metrics: GatewayMetrics

    # -- the shopper's side ---------------------------------------------------------------

    async def shopper_asks_for_agent(self, conversation_id: str) -> None:
        async with self.locks.hold(conversation_id):
            conversation = self.directory.require(conversation_id)
            if conversation.owner is Owner.BOT:
                await self.escalate(conversation, SHOPPER_ASKED, "shopper", 0.5)
            else:
                await self.fanout.send_status(conversation_id)

    async def leave_message(self, conversation_id: str, email: str, text: str) -> TicketRecord:
        """The shopper leaves a message for the team (no agent online, or tired of waiting)."""
        email, text = clean_text(email), clean_text(text)[:MAX_MESSAGE_CHARS]
        if not EMAIL.match(email):
            raise NotAllowed("please give a valid email address")
        if not text:
            raise NotAllowed("please write a message")
        async with self.locks.hold(conversation_id):
            conversation = self.directory.require(conversation_id)
            ticket = self.conversations.create_ticket(
                conversation_id, conversation.customer_id, email, text
            )
            if conversation.owner is Owner.QUEUED:
                await self._change(conversation, Handoff.WITHDRAW)
            await self.fanout.store(conversation_id, "system", message_left(ticket.id, email))
        await self.fanout.tickets_changed()
        return ticket

    # -- the agent's side -----------------------------------------------------------------

    async def take(self, conversation_id: str, agent: AgentAccount) -> ConversationRecord:
        """The agent takes a queued conversation, or picks one the assistant holds."""
        async with self.locks.hold(conversation_id):
            conversation = self.directory.require(conversation_id)
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
            await self.fanout.store(
                conversation_id,
                "system",
                agent_joined(agent.display_name),
                payload={"agent": agent.display_name},
            )
            return taken

    async def hand_back(
        self, conversation_id: str, agent: AgentAccount, handback: Handback
    ) -> ConversationRecord:
        """Give the conversation back to the assistant, which greets the shopper back or does
        the task the agent chose. When the assistant cannot, the agent keeps the conversation."""
        async with self.locks.hold(conversation_id):
            conversation = self.directory.require_held_by(conversation_id, agent)
            intent, entities = handback.trigger(agent.display_name)
            try:
                await self.assistant.resume(conversation_id)
                replies = await self.assistant.trigger_intent(conversation_id, intent, entities)
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
            back = self.conversations.change_owner(
                conversation_id, Owner.AGENT, next_owner(conversation.owner, Handoff.HAND_BACK)
            )
            await self.fanout.store(conversation_id, "system", handed_back(agent.display_name))
            await self.fanout.show_replies(conversation_id, replies)
            await self.fanout.announce(back)
            return back

    # -- queueing (the caller holds the lock) ---------------------------------------------

    async def escalate(
        self, conversation: ConversationRecord, reason: str, source: str, requested: float
    ) -> list[MessageRecord]:
        """Queue the conversation for a person, as urgent as the request, the shopper's latest
        mood and their value to the shop make it; with no agent online, offer the message form."""
        self.metrics.handovers.labels(source).inc()
        if self.fanout.agents_online() == 0:
            if source == "assistant":
                # The assistant's handoff action paused its tracker; nobody will take over.
                await self._resume_quietly(conversation.id)
            return [
                await self.fanout.store(
                    conversation.id, "system", NO_AGENT_TEXT, payload={"ticket_form": True}
                )
            ]
        latest = self.conversations.recent(conversation.id, "shopper", 1)
        card = self.directory.card(conversation)
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
        return [await self.fanout.store(conversation.id, "system", QUEUED_TEXT)]

    # -- inside ---------------------------------------------------------------------------

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
            changed = self.conversations.change_owner(
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
        await self.fanout.announce(changed)
        return changed

    async def _pause_quietly(self, conversation_id: str) -> None:
        """Pause the tracker; if Rasa is down it is harmless, the gateway sends it nothing."""
        try:
            await self.assistant.pause(conversation_id)
        except RasaUnavailable as error:
            log.warning("could not pause %s in Rasa: %s", conversation_ref(conversation_id), error)

    async def _resume_quietly(self, conversation_id: str) -> None:
        try:
            await self.assistant.resume(conversation_id)
        except RasaUnavailable as error:
            log.warning("could not resume %s in Rasa: %s", conversation_ref(conversation_id), error)
