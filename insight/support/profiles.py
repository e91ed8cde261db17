"""What the assistant may use about a known shopper: their first name and favourite categories.

``ProfileSource`` is the port; ``ShopperProfiles`` answers it with the first name from the
customer record and the favourite categories of the fused profile (``insight.profiles``) when
one has been built for the shopper, else of their purchase history. Nothing here is shown to
the shopper as such: the assistant greets by first name and lets favourite categories order its
suggestions, no more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import Customer, Order, OrderLine, OrderStatus, Product
from insight.profiles.contracts import ProfileLookup

TOP_CATEGORIES = 3


@dataclass(frozen=True)
class ShopperProfile:
    customer_id: int
    first_name: str
    favourite_categories: tuple[str, ...]  # most bought first


class ProfileSource(Protocol):
    def profile(self, customer_id: int) -> ShopperProfile | None: ...


class ShopperProfiles:
    def __init__(self, sessions: sessionmaker[Session], fused: ProfileLookup) -> None:
        self._sessions = sessions
        self._fused = fused

    def profile(self, customer_id: int) -> ShopperProfile | None:
        with self._sessions() as session:
            customer = session.get(Customer, customer_id)
            if customer is None:
                return None
        fused = self._fused.get(customer_id)
        return ShopperProfile(
            customer_id=customer_id,
            first_name=customer.name.split()[0] if customer.name.strip() else "",
            favourite_categories=(
                fused.top_categories[:TOP_CATEGORIES] if fused else self._bought(customer_id)
            ),
        )

    def _bought(self, customer_id: int) -> tuple[str, ...]:
        with self._sessions() as session:
            categories = session.scalars(
                select(Product.category)
                .join(OrderLine, OrderLine.product_id == Product.id)
                .join(Order, Order.id == OrderLine.order_id)
                .where(Order.customer_id == customer_id, Order.status != OrderStatus.CANCELLED)
                .group_by(Product.category)
                .order_by(func.sum(OrderLine.quantity).desc(), Product.category)
                .limit(TOP_CATEGORIES)
            ).all()
        return tuple(categories)
