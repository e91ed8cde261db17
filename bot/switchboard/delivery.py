"""Delivery and redelivery: a shopper's message either goes through now or waits its turn.

When the assistant or the database is out, the message is held in this process's memory and
the shopper is told once; later messages of that conversation queue up behind it (stored as
soon as the database allows, so the desk sees them), and :meth:`Delivery.redeliver` sends them
through in order once the outage ends. Holding is capped per conversation and for the gateway
as a whole: past the cap the shopper is asked to wait (:class:`CatchingUp`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.guards import MAX_MESSAGE_CHARS, TOO_LONG, clean_text
from bot.logs import conversation_ref
from bot.metrics import GatewayMetrics
from bot.rasa_client import RasaUnavailable
from bot.switchboard.errors import DATABASE_DOWN, OUTAGES, CatchingUp, NotAllowed
from bot.switchboard.fanout import FanOut
from bot.switchboard.locks import ConversationLocks
from bot.switchboard.routing import MessageRouter, PendingMessage
from bot.switchboard.texts import CATCHING_UP, DATABASE_DOWN_REPLY, UNAVAILABLE_REPLY
from insight.conversations import MessageRecord, utcnow

log = logging.getLogger(__name__)

REDELIVERY_EVERY_S = 2.0
# Held messages wait in memory: how many one conversation, and the gateway as a whole, may hold.
MAX_HELD_PER_CONVERSATION = 20
MAX_HELD = 10_000


@dataclass(kw_only=True)
class Delivery:
    router: MessageRouter
    fanout: FanOut
    locks: ConversationLocks
    metrics: GatewayMetrics
    _held: dict[str, deque[PendingMessage]] = field(default_factory=dict, init=False)
    # How many messages ``_held`` holds, kept as they come and go: the cap is checked on
    # every held message, and counting them afresh would walk every conversation.
    _held_count: int = field(default=0, init=False)
    _notice_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1), init=False)

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
        message = PendingMessage(text, client_id, open_as_guest=open_as_guest)
        async with self.locks.hold(conversation_id):
            held = self._held.get(conversation_id)
            if held is not None:  # earlier messages wait for an outage to end: keep the order
                if client_id and any(h.client_id == client_id for h in held):
                    return []
                if len(held) >= MAX_HELD_PER_CONVERSATION or self.held() >= MAX_HELD:
                    raise CatchingUp(CATCHING_UP)
                if not any(h.open_as_guest for h in (*held, message)):  # stored now if it can be
                    with contextlib.suppress(*DATABASE_DOWN):
                        if not await self.router.store_shopper(conversation_id, message):
                            return []
                held.append(message)
                self._held_count += 1
                return []
            try:
                with self.metrics.turn_seconds.time():
                    return await self.router.deliver(conversation_id, message)
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

    async def redeliver(self) -> int:
        """Try the held messages again, oldest first in each conversation; returns how many
        went through. A conversation stops at its first message that still meets an outage."""
        delivered = 0
        for conversation_id in list(self._held):
            async with self.locks.hold(conversation_id):
                queue = self._held.get(conversation_id, deque())
                while queue:
                    try:
                        await self.router.deliver(conversation_id, queue[0])
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

    async def _tell_held(self, conversation_id: str, outage: Exception) -> MessageRecord:
        """Tell the shopper their message waits. With the database out, the notice cannot be
        stored: it is sent as a message of its own with a negative id."""
        if isinstance(outage, RasaUnavailable):
            try:
                return await self.fanout.store(conversation_id, "bot", UNAVAILABLE_REPLY)
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
        await self.fanout.to_shopper(notice)
        return notice
