"""What the action tests share: services over a small seeded shop, an inline tracker, a runner.

The services are the real composition (repositories and support operations over a SQLite file
seeded by ``build_support_shop``) with a deterministic stand-in where a model would load: a
word-overlap FAQ index. Time is the factories' ``TODAY``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session, sessionmaker

from actions.services import Services
from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import upgrade
from insight.faq.contracts import FakeFaqIndex, FaqEntry
from insight.profiles.repository import ProfileRepository
from insight.repositories import CustomerRepository, ProductRepository
from insight.support.catalog import CatalogRecommender, CatalogSearch
from insight.support.csat import CsatStore
from insight.support.invoices import InvoiceLinks
from insight.support.orders import OrderSupport
from insight.support.policies import SupportHours, VerificationLimit
from insight.support.profiles import ShopperProfiles
from insight.support.retention import RetentionOffers
from insight.support.verification import GuestVerification
from insight.support.vouchers import VoucherDesk
from tests.factories import RETENTION_POLICY, TODAY, SupportShopFixture, build_support_shop

RETURN_POLICY = FaqEntry(
    id="return_policy",
    topic="returns",
    question="What is your return policy?",
    paraphrases=("how many days do i have to return something",),
    answer="You can return any item within 30 days of delivery.",
)

INVOICE_LINK_SECRET = "invoice-links-test-secret-of-32-characters"
SUPPORT_HOURS = SupportHours("Monday to Friday 9:00–17:00", "help@shop.example", 24)


@dataclass(frozen=True)
class Store:
    services: Services
    fixture: SupportShopFixture
    sessions: sessionmaker[Session]

    @property
    def ada(self) -> int:
        return self.fixture.small.ada_id

    @property
    def ben(self) -> int:
        return self.fixture.small.ben_id

    @property
    def cleo(self) -> int:
        return self.fixture.cleo_id


@contextmanager
def open_store(tmp_path: Path) -> Iterator[Store]:
    """Services over a freshly seeded shop in ``tmp_path``."""
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    fixture = build_support_shop(sessions)
    services = Services(
        customers=CustomerRepository(sessions),
        verification=GuestVerification(sessions, VerificationLimit()),
        products=ProductRepository(sessions),
        support=OrderSupport(sessions, return_window_days=30, clock=lambda: TODAY),
        csat=CsatStore(sessions, clock=lambda: TODAY),
        catalog=CatalogSearch(sessions),
        recommender=CatalogRecommender(sessions),
        profiles=ShopperProfiles(sessions, ProfileRepository(sessions)),
        faq=FakeFaqIndex([RETURN_POLICY], threshold=0.5),
        currency="EUR",
        support_hours=SUPPORT_HOURS,
        vouchers=VoucherDesk(sessions, clock=lambda: TODAY),
        retention=RetentionOffers(
            sessions, RETENTION_POLICY, ProfileRepository(sessions), clock=lambda: TODAY
        ),
        invoice_links=InvoiceLinks(INVOICE_LINK_SECRET),
    )
    try:
        yield Store(services, fixture, sessions)
    finally:
        engine.dispose()


def entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value}


def tracker(
    text: str = "",
    intent: str = "",
    entities: Sequence[dict[str, Any]] = (),
    *,
    slots: dict[str, Any] | None = None,
    customer_id: int | None = None,
    metadata: dict[str, Any] | None = None,
    events: Sequence[dict[str, Any]] = (),
    active_loop: str | None = None,
    sender_id: str = "shopper-1",
) -> Tracker:
    """A tracker whose latest message is ``text``; ``customer_id`` goes into its ``metadata``."""
    metadata = dict(metadata or {})
    if customer_id is not None:
        metadata["customer_id"] = customer_id
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": list(entities),
        "metadata": metadata,
    }
    user = {"event": "user", "text": text, "parse_data": latest, "metadata": metadata}
    return Tracker(
        sender_id,
        dict(slots or {}),
        latest,
        [*events, user],
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def run(
    action: Action, shopper: Tracker, domain: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The events the action returns and the messages it sent (``domain``: what Rasa sends)."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, shopper, domain or {})
    return events, dispatcher.messages


def responses(messages: Sequence[dict[str, Any]]) -> list[str]:
    return [str(message.get("response")) for message in messages]


def slot_events(events: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
