"""Composition root: builds the insight services the actions use, once per process.

Each port is typed by its contract, so a richer implementation replaces a simple one here, on
one line: suggestions come from the trained recommender, which answers from the catalogue
until one is built. The modules that bring torch, FAISS and implicit (FAQ, recommendations) are
imported when the services are built, on the first action, not when the action server imports
the actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from insight.db.engine import make_engine, make_sessionmaker
from insight.faq.contracts import FaqIndex
from insight.profiles.repository import ProfileRepository
from insight.repositories import CustomerRepository, ProductRepository
from insight.settings import Settings
from insight.support.catalog import CatalogRecommender, CatalogSearch, Recommender
from insight.support.csat import CsatStore
from insight.support.invoices import InvoiceLinks
from insight.support.orders import OrderSupport
from insight.support.policies import (
    SupportHours,
    retention_policy,
    return_window_days,
    shop_currency,
    support_hours,
    verification_limit,
)
from insight.support.profiles import ProfileSource, ShopperProfiles
from insight.support.retention import RetentionOffers
from insight.support.verification import GuestVerification
from insight.support.vouchers import VoucherDesk


@dataclass(frozen=True)
class Services:
    customers: CustomerRepository
    verification: GuestVerification  # guests' order number + email, capped across conversations
    products: ProductRepository
    support: OrderSupport
    csat: CsatStore
    catalog: CatalogSearch
    recommender: Recommender
    profiles: ProfileSource
    faq: FaqIndex
    currency: str  # what catalogue prices are shown in
    support_hours: SupportHours | None  # None: the policies file names no hours
    vouchers: VoucherDesk  # why a code does not apply
    retention: RetentionOffers  # goodwill codes for valuable customers at risk of leaving
    invoice_links: InvoiceLinks  # signed links the gateway opens an order's invoice with


def clock(settings: Settings) -> Callable[[], datetime]:
    """Naive UTC now, or the time ``SHOPSENSE_NOW`` pins (demo shop, live tests)."""
    if settings.frozen_now is not None:
        frozen = settings.frozen_now
        return lambda: frozen
    return lambda: datetime.now(UTC).replace(tzinfo=None)


def build_services(settings: Settings) -> Services:
    from insight.faq.index import FaissFaqIndex
    from insight.profiles.refresh import BackgroundRefresh, ProfileRefresher
    from insight.recommend.service import HybridRecommender

    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    now = clock(settings)
    profile_changes = BackgroundRefresh(ProfileRefresher(engine, settings.cache_dir).refresh)
    return Services(
        customers=CustomerRepository(sessions),
        # real time, not ``now``: a lock under the demo's pinned clock would never end
        verification=GuestVerification(sessions, verification_limit(settings.knowledge_dir)),
        products=ProductRepository(sessions),
        support=OrderSupport(
            sessions, return_window_days(settings.knowledge_dir), now, profile_changes
        ),
        csat=CsatStore(sessions, now),
        catalog=CatalogSearch(sessions),
        recommender=HybridRecommender.from_settings(
            settings, sessions, ProfileRepository(sessions), fallback=CatalogRecommender(sessions)
        ),
        profiles=ShopperProfiles(sessions, ProfileRepository(sessions)),
        faq=FaissFaqIndex.from_settings(settings),
        currency=shop_currency(settings.knowledge_dir),
        support_hours=support_hours(settings.knowledge_dir),
        vouchers=VoucherDesk(sessions, now),
        retention=RetentionOffers(
            sessions, retention_policy(settings.knowledge_dir), ProfileRepository(sessions), now
        ),
        invoice_links=InvoiceLinks(settings.desk_session_secret),
    )


@cache
def services() -> Services:
    """The process-wide services, built from the environment on first use."""
    return build_services(Settings.from_env())


def warm_up(shop: Services) -> None:
    """Load what a shopper's turn through the gateway may need before the first one comes: the
    FAQ index and the recommender."""
    shop.faq.warm_up()
    shop.recommender.warm_up()
