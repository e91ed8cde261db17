"""Opening the widget's session: resume the shopper's conversation, or start one, and attach
the customer their token verifies (``bot.identity``).

A conversation of one customer is never resumed with another customer's token: that starts a
new conversation. Without a token, knowing the (unguessable) id resumes it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from bot.identity import ShopperIdentities
from bot.switchboard.directory import Directory
from insight.conversations import ConversationRecord, ConversationRepository, MessageRecord
from insight.customer_cards import CustomerCard

CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class ShopperSession:
    conversation: ConversationRecord
    customer: CustomerCard | None
    identity_error: str | None
    transcript: list[MessageRecord]
    queue_position: int | None


def new_conversation_id() -> str:
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class ShopperSessions:
    conversations: ConversationRepository
    identities: ShopperIdentities
    directory: Directory

    async def open(
        self, conversation_id: str | None, token: str | None, after_id: int = 0
    ) -> ShopperSession:
        """The shopper's conversation with the transcript after ``after_id``."""
        identity = self.identities.of(token)
        customer = identity.customer
        existing = (
            self.conversations.get(conversation_id)
            if conversation_id and CONVERSATION_ID.match(conversation_id)
            else None
        )
        if existing and customer and existing.customer_id not in (None, customer.customer_id):
            existing = None
        target = existing.id if existing else new_conversation_id()
        identity = self.identities.for_conversation(identity, target)
        customer = identity.customer
        if existing is None:
            conversation = self.conversations.open(
                target, customer.customer_id if customer else None
            )
        else:
            if customer and existing.customer_id is None:
                self.conversations.bind_customer(existing.id, customer.customer_id)
            conversation = self.conversations.get(existing.id) or existing
        if customer is None and conversation.customer_id is not None:
            customer = self.directory.card(conversation)
        return ShopperSession(
            conversation=conversation,
            customer=customer,
            identity_error=identity.error,
            transcript=self.conversations.transcript(conversation.id, after_id),
            queue_position=self.directory.queue_position(conversation.id),
        )
