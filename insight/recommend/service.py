"""``HybridRecommender``: the assistant's ``Recommender`` port over the trained artefact.

The constructor stores configuration only; the artefact last built from this shop's database
(``python -m insight build recommend``) loads on first use (``warm_up``). Until one exists,
every call is answered by ``fallback`` (the catalogue), and so are look-alikes of products added
after the build. What changes between builds is read live on every call: the customer's
purchases, browsing and returns, their fused profile, stock and prices.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import BrowsingEvent, Order, OrderLine, OrderStatus, Product, Return
from insight.domain import ProductInfo
from insight.profiles.contracts import ProfileLookup
from insight.recommend.build import latest_artefact, load_model
from insight.recommend.contracts import Suggestion
from insight.recommend.interactions import BROWSING_KINDS, PURCHASE
from insight.recommend.model import RecommendConfig
from insight.recommend.ranking import BlendWeights, BoolArray, History, Pick, Ranker, Taste
from insight.repositories.products import product_info
from insight.settings import Settings
from insight.support.catalog import ProductQuery, Recommender

log = logging.getLogger(__name__)
RECENT_BROWSING = 500  # a customer's latest product events that count as their history
PickFn = Callable[[BoolArray, int], list[Pick]]


class HybridRecommender:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        profiles: ProfileLookup,
        cache_dir: Path,
        database_url: str,
        *,
        fallback: Recommender,
        weights: BlendWeights | None = None,
    ) -> None:
        self._sessions = sessions
        self._profiles = profiles
        self.cache_dir = cache_dir
        self.database_url = database_url
        self.fallback = fallback
        self.weights = weights
        self._ranker: Ranker | None = None
        self._looked = False
        self._lock = threading.Lock()

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        sessions: sessionmaker[Session],
        profiles: ProfileLookup,
        fallback: Recommender,
    ) -> HybridRecommender:
        return cls(sessions, profiles, settings.cache_dir, settings.database_url, fallback=fallback)

    def warm_up(self) -> None:
        self._loaded()

    @property
    def trained(self) -> bool:
        """Whether a trained artefact answers (else the fallback does)."""
        return self._loaded() is not None

    def _loaded(self) -> Ranker | None:
        with self._lock:
            if not self._looked:
                self._looked = True
                path = latest_artefact(self.cache_dir, self.database_url)
                if path is None:
                    log.warning(
                        "no recommender artefact for this database; suggestions come from the "
                        "catalogue until `python -m insight build recommend` has run"
                    )
                else:
                    self._ranker = Ranker(load_model(path), self.weights)
            return self._ranker

    def suggest(self, query: ProductQuery, k: int = 3) -> list[Suggestion]:
        ranker = self._loaded()
        if ranker is None:
            return self.fallback.suggest(query, k)
        history, taste = History.empty(), Taste()
        allowed = ranker.allowed(terms=query.terms, max_price=query.max_price)
        if query.customer_id is not None:
            history, excluded = self._customer(ranker, query.customer_id)
            taste = Taste.of(self._profiles.get(query.customer_id))
            allowed &= ~excluded
        return self._available(
            ranker,
            lambda mask, n: ranker.for_customer(history, taste, mask, n),
            allowed,
            k,
            query.max_price,
        )

    def similar(self, product_id: int, k: int = 3) -> list[Suggestion]:
        ranker = self._loaded()
        item = int(ranker.model.catalogue.positions([product_id])[0]) if ranker else -1
        if ranker is None or item < 0:
            return self.fallback.similar(product_id, k)
        return self._available(
            ranker,
            lambda mask, n: ranker.similar(item, mask, n),
            ranker.allowed(excluded=[item]),
            k,
            None,
        )

    def complements(self, order_number: str, customer_id: int, k: int = 3) -> list[Suggestion]:
        """Products that go with the customer's order ``order_number`` (none for another
        customer's order, or before a build)."""
        ranker = self._loaded()
        if ranker is None:
            return []
        with self._sessions() as session:
            ordered = session.scalars(
                select(OrderLine.product_id)
                .join(Order, Order.id == OrderLine.order_id)
                .where(Order.number == order_number, Order.customer_id == customer_id)
            ).all()
        basket = ranker.model.catalogue.positions(ordered)
        _, excluded = self._customer(ranker, customer_id)
        return self._available(
            ranker,
            lambda mask, n: ranker.complements(basket[basket >= 0], mask, n),
            ~excluded,
            k,
            None,
        )

    def _customer(self, ranker: Ranker, customer_id: int) -> tuple[History, BoolArray]:
        """The customer's history (purchases of orders not cancelled, latest product events)
        and the products never to suggest them: bought or sent back."""
        with self._sessions() as session:
            bought = session.execute(
                select(OrderLine.product_id, Order.placed_at)
                .join(Order, Order.id == OrderLine.order_id)
                .where(Order.customer_id == customer_id, Order.status != OrderStatus.CANCELLED)
            ).all()
            browsed = session.execute(
                select(
                    BrowsingEvent.product_id, BrowsingEvent.event_type, BrowsingEvent.occurred_at
                )
                .where(
                    BrowsingEvent.customer_id == customer_id,
                    BrowsingEvent.product_id.is_not(None),
                    BrowsingEvent.event_type.in_(BROWSING_KINDS),
                )
                .order_by(BrowsingEvent.occurred_at.desc())
                .limit(RECENT_BROWSING)
            ).all()
            returned = session.scalars(
                select(OrderLine.product_id)
                .join(Return, Return.order_line_id == OrderLine.id)
                .join(Order, Order.id == OrderLine.order_id)
                .where(Order.customer_id == customer_id)
            ).all()
        catalogue = ranker.model.catalogue
        excluded = np.zeros(catalogue.size, dtype=np.bool_)
        never = catalogue.positions([product for product, _ in bought] + list(returned))
        excluded[never[never >= 0]] = True
        events = pd.DataFrame(
            [(product, PURCHASE, at) for product, at in bought] + [tuple(row) for row in browsed],
            columns=["product_id", "kind", "at"],
        )
        if events.empty:
            return History.empty(), excluded
        events["at"] = pd.to_datetime(events["at"])
        history = History.from_events(
            ranker.model, events, events["at"].max(), RecommendConfig().history_half_life_days
        )
        return history, excluded

    def _available(
        self,
        ranker: Ranker,
        pick: PickFn,
        allowed: BoolArray,
        k: int,
        max_price: Decimal | None,
    ) -> list[Suggestion]:
        """The first ``k`` picks that are in stock and within budget at today's prices."""
        allowed, window = allowed.copy(), 3 * k
        found: list[Suggestion] = []
        while len(found) < k and allowed.any():
            picks = pick(allowed, window)
            if not picks:
                break
            products = self._products(ranker.model.catalogue.product_ids[[p.item for p in picks]])
            for chosen in picks:
                allowed[chosen.item] = False
                product = products.get(int(ranker.model.catalogue.product_ids[chosen.item]))
                if product is not None and _sellable(product, max_price) and len(found) < k:
                    found.append(Suggestion(product, chosen.reason))
            window *= 2
        return found

    def _products(self, product_ids: Iterable[int]) -> dict[int, ProductInfo]:
        with self._sessions() as session:
            rows = session.scalars(
                select(Product).where(Product.id.in_(list(map(int, product_ids))))
            )
            return {row.id: product_info(row) for row in rows}


def _sellable(product: ProductInfo, max_price: Decimal | None) -> bool:
    return product.in_stock and (max_price is None or product.price <= max_price)
