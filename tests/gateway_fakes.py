"""Fakes for the gateway's collaborators: a scripted assistant, an outbox that records, desk
session revocations in memory."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy.orm import Session, sessionmaker

from bot.desk_auth import DeskSessions
from bot.rasa_client import RasaUnavailable, UnknownIntent
from bot.services import GatewayServices
from bot.tokens import CustomerTokens
from insight.agents import AgentRepository
from insight.conversations import ConversationRepository
from insight.customer_cards import CustomerCards
from insight.db.engine import reachable
from insight.emotion.trajectory import EscalationRule
from insight.report.support import SupportAnalytics
from insight.repositories import CustomerRepository, OrderRepository
from insight.settings import PROJECT_ROOT, TokenKey
from insight.support.invoices import InvoiceDesk, InvoiceLinks
from insight.support.policies import invoice_seller
from insight.understanding.contracts import KeywordUnderstander
from insight.understanding.message import MessageUnderstanding

Reply = list[dict[str, Any]]
TOKEN_SECRET = "shop-token-secret-long-enough-for-hs256"
DESK_SECRET = "desk-secret-long-enough-for-hmac-sha256"


def echo(text: str) -> Reply:
    return [{"text": f"echo: {text}"}]


@dataclass
class FakeAssistant:
    """Answers with ``script(text)``; records every call like a tracker would."""

    script: Callable[[str], Reply] = echo
    intents: dict[str, Reply] = field(default_factory=dict)
    down: bool = False
    timing_out: bool = False  # it got the message but never answered
    delay_s: float = 0.0
    sent: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)
    triggered: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def _check(self) -> None:
        if self.down:
            raise RasaUnavailable("connection refused")
        if self.timing_out:
            raise RasaUnavailable("read timeout", maybe_delivered=True)

    async def send(
        self, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> Reply:
        self._check()
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        self.sent.append((sender_id, text, metadata or {}))
        return self.script(text)

    async def pause(self, sender_id: str) -> None:
        self._check()
        self.events.append((sender_id, "pause"))

    async def reachable(self) -> bool:
        return not self.down

    async def resume(self, sender_id: str) -> None:
        self._check()
        self.events.append((sender_id, "resume"))

    async def trigger_intent(self, sender_id: str, intent: str, entities: dict[str, str]) -> Reply:
        self._check()
        if intent not in self.intents:
            raise UnknownIntent(intent)
        self.triggered.append((sender_id, intent, entities))
        return self.intents[intent]

    async def aclose(self) -> None:
        return None

    def texts_sent(self) -> list[str]:
        return [text for _, text, _ in self.sent]


@dataclass
class RecordingOutbox:
    online: int = 1
    shopper: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    desk: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def to_conversation(self, conversation_id: str, event: str, data: dict[str, Any]) -> None:
        self.shopper.append((conversation_id, event, data))

    async def to_desk(self, event: str, data: dict[str, Any]) -> None:
        self.desk.append((event, data))

    def agents_online(self) -> int:
        return self.online

    def statuses(self, conversation_id: str) -> list[dict[str, Any]]:
        return [d for c, e, d in self.shopper if c == conversation_id and e == "status"]


@dataclass
class MemoryRevocations:
    """Logged-out desk sessions in a dict (the gateway keeps them in the shop database)."""

    revoked: dict[str, datetime] = field(default_factory=dict)

    def revoke_session(self, session_id: str, expires_at: datetime) -> None:
        self.revoked[session_id] = expires_at

    def session_revoked(self, session_id: str) -> bool:
        return session_id in self.revoked


def gateway_services(
    sessions: sessionmaker[Session], assistant: FakeAssistant, secret: str = TOKEN_SECRET
) -> GatewayServices:
    """The gateway's services over ``sessions`` with a scripted assistant, cheap hashing and the
    keyword stand-in for the understanding model."""
    agents = AgentRepository(sessions, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    return GatewayServices(
        conversations=ConversationRepository(sessions),
        customers=CustomerCards(sessions),
        agents=agents,
        assistant=assistant,
        tokens=CustomerTokens([TokenKey(secret)]),
        desk_sessions=DeskSessions(DESK_SECRET, agents),
        escalation_rule=EscalationRule(),
        understanding=MessageUnderstanding(KeywordUnderstander()),
        orders=OrderRepository(sessions),
        faq=None,
        analytics=SupportAnalytics(sessions),
        database_reachable=partial(reachable, sessions),
        invoices=InvoiceDesk(
            OrderRepository(sessions),
            CustomerRepository(sessions),
            InvoiceLinks(DESK_SECRET),
            invoice_seller(PROJECT_ROOT / "knowledge"),
        ),
    )
