"""One asyncio lock per conversation: the switchboard's single rule of order.

Storing a message, routing it, and any owner change all happen under the conversation's lock, so
a message typed while an agent takes over goes either to the assistant (before) or to the agent
(after), never to both and never nowhere. The lock is in this process's memory: one gateway
process serves a conversation at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class ConversationLocks:
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
