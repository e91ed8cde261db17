"""Composition root: builds the gateway's collaborators from settings, once per process.

Every shopper message is read once by insight's fine-tuned transformer (intent, emotion, and the
FAQ index searched with the same pass's vector); torch and FAISS are imported when the services
are built and the models load on first use (``bot.app`` warms them up in a worker thread at
start-up).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sqlalchemy.orm import Session, sessionmaker

from bot.desk_auth import DeskSessions
from bot.rasa_client import Assistant, RasaClient
from bot.tokens import CustomerTokens
from insight.agents import AgentRepository, ensure_demo_agents
from insight.conversations import ConversationRepository
from insight.customer_cards import CustomerCards
from insight.db.engine import make_engine, make_sessionmaker, reachable
from insight.emotion.trajectory import EscalationRule
from insight.report.support import SupportAnalytics
from insight.repositories import CustomerRepository, OrderRepository
from insight.settings import Settings
from insight.support.assist import FaqSearch
from insight.support.invoices import InvoiceDesk, InvoiceLinks
from insight.support.policies import invoice_seller
from insight.understanding.message import MessageUnderstanding

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GatewayServices:
    conversations: ConversationRepository
    customers: CustomerCards
    agents: AgentRepository
    assistant: Assistant
    tokens: CustomerTokens
    desk_sessions: DeskSessions
    escalation_rule: EscalationRule
    understanding: MessageUnderstanding
    orders: OrderRepository
    faq: FaqSearch | None  # text search for the desk's suggested replies
    analytics: SupportAnalytics
    database_reachable: Callable[[], bool]  # for /readyz
    invoices: InvoiceDesk  # the pages the order cards' invoice links open


def build_services(settings: Settings) -> GatewayServices:
    """The gateway's services over the (migrated) database and the Rasa server in ``settings``."""
    from insight.faq.index import FaissFaqIndex
    from insight.understanding.reader import TransformerUnderstander

    sessions = make_sessionmaker(make_engine(settings.database_url))
    faq = FaissFaqIndex.from_settings(settings)
    agents = AgentRepository(sessions)
    return GatewayServices(
        conversations=ConversationRepository(sessions),
        customers=CustomerCards(sessions),
        agents=agents,
        assistant=RasaClient(settings.rasa_url, settings.rasa_api_token),
        tokens=CustomerTokens(settings.customer_token_keys),
        desk_sessions=DeskSessions(settings.desk_session_secret, agents),
        escalation_rule=EscalationRule(),
        understanding=MessageUnderstanding(
            TransformerUnderstander(cache_dir=settings.cache_dir), faq
        ),
        orders=OrderRepository(sessions),
        faq=faq,
        analytics=SupportAnalytics(sessions),
        database_reachable=partial(reachable, sessions),
        invoices=invoice_desk(sessions, settings),
    )


def invoice_desk(sessions: sessionmaker[Session], settings: Settings) -> InvoiceDesk:
    """The invoice pages, checking the links the action server signs with the same secret."""
    return InvoiceDesk(
        OrderRepository(sessions),
        CustomerRepository(sessions),
        InvoiceLinks(settings.desk_session_secret),
        invoice_seller(settings.knowledge_dir),
    )


def bootstrap_agents(agents: AgentRepository, settings: Settings) -> None:
    """Create the agent named by AGENT_USERNAME/AGENT_PASSWORD when none by that name exists,
    and the demo agents in demo mode."""
    username, password = settings.agent_username, settings.agent_password
    # The shop's own first account: it runs the desk, so it sees the analytics too.
    if username and password and agents.ensure(username, username, password, admin=True):
        log.info("created agent %s from AGENT_USERNAME", username)
    if settings.demo_tokens:
        for demo in ensure_demo_agents(agents):
            log.info("created demo agent %s", demo)
