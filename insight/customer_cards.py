"""The short customer summary an agent sees next to a conversation (and the demo page's picker).

Built from the shop's own tables (who the customer is, how much they have bought, their latest
order) and, when profiles were built, the fused ``CustomerProfile``: segment, churn risk, expected
12-month value, favourite categories and review sentiment, which tell an agent how to treat them;
and the retention codes the assistant already gave, so that an agent does not give another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import Customer, CustomerProfileRow, Order, OrderStatus
from insight.profiles.contracts import CustomerProfile
from insight.profiles.repository import profile_from_row
from insight.support.retention import OfferRecord, retention_history


@dataclass(frozen=True)
class CustomerCard:
    customer_id: int
    external_ref: str
    name: str
    email: str
    country: str
    customer_since: datetime
    orders: int
    total_spent: Decimal
    last_order_number: str | None
    last_order_status: str | None
    profile: CustomerProfile | None = None  # None until profiles are built for the customer
    retention_offers: tuple[
        OfferRecord, ...
    ] = ()  # goodwill codes the assistant gave, newest first


class CustomerCards:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def card(self, customer_id: int) -> CustomerCard | None:
        with self._sessions() as session:
            customer = session.get(Customer, customer_id)
            return _card(session, customer) if customer else None

    def by_ref(self, external_ref: str) -> CustomerCard | None:
        """The customer the shop knows by ``external_ref`` (its own customer id)."""
        with self._sessions() as session:
            customer = session.scalar(select(Customer).where(Customer.external_ref == external_ref))
            return _card(session, customer) if customer else None

    def with_orders(self, limit: int) -> list[CustomerCard]:
        """Customers who have ordered, most orders first (the demo page offers these)."""
        with self._sessions() as session:
            ids = session.scalars(
                select(Order.customer_id)
                .group_by(Order.customer_id)
                .order_by(func.count(Order.id).desc(), Order.customer_id)
                .limit(limit)
            ).all()
            customers = [session.get(Customer, customer_id) for customer_id in ids]
            return [_card(session, c) for c in customers if c is not None]


def _card(session: Session, customer: Customer) -> CustomerCard:
    counted = Order.status != OrderStatus.CANCELLED
    orders, spent = session.execute(
        select(func.count(Order.id), func.coalesce(func.sum(Order.total), 0)).where(
            Order.customer_id == customer.id, counted
        )
    ).one()
    last = session.scalar(
        select(Order)
        .where(Order.customer_id == customer.id)
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(1)
    )
    return CustomerCard(
        customer_id=customer.id,
        external_ref=customer.external_ref,
        name=customer.name,
        email=customer.email,
        country=customer.country,
        customer_since=customer.created_at,
        orders=int(orders),
        total_spent=Decimal(spent).quantize(Decimal("0.01")),
        last_order_number=last.number if last else None,
        last_order_status=str(last.status) if last else None,
        profile=profile_from_row(row)
        if (row := session.get(CustomerProfileRow, customer.id))
        else None,
        retention_offers=retention_history(session, customer.id),
    )
