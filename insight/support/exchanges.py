"""Exchanges for one verified customer: a delivered item for another variant of its category.

Like returns (``insight.support.orders``), everything is scoped to the customer id the
conversation verified — another customer's order reads as a missing one — and ``start_exchange``
re-checks every rule inside one transaction with the order row locked: delivered, inside the
exchange window, the item still on the order and not already returned or exchanged, the
replacement a product of the same category (or, for a defective unit, the same product), in
stock. The replacement's stock is reserved (decremented) in that same transaction.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import (
    Exchange,
    ExchangeReason,
    ExchangeStatus,
    Order,
    Product,
)
from insight.profiles.contracts import ProfileChanges
from insight.repositories.orders import normalise_order_number
from insight.support.orders import RETURNABLE, ReturnableLine, pick_line, taken_back
from insight.support.policies import ExchangePolicy


class ExchangeRefusal(enum.StrEnum):
    NOT_FOUND = "not_found"  # no such order on this customer's account
    NOT_DELIVERED = "not_delivered"  # nothing to exchange before it arrives
    WINDOW_PASSED = "window_passed"  # delivered longer ago than the exchange window
    UNKNOWN_ITEM = "unknown_item"  # not on the order, or already returned / exchanged
    NOT_EXCHANGEABLE = "not_exchangeable"  # its category is not exchangeable by policy
    NO_SUCH_VARIANT = "no_such_variant"  # no product of that name in the item's category
    OUT_OF_STOCK = "out_of_stock"  # the wanted variant is not in stock
    NO_DEFECTIVE_REPLACEMENT = "no_defective_replacement"  # policy: defective units are returned


@dataclass(frozen=True)
class ExchangeRefused:
    reason: ExchangeRefusal
    order_number: str


@dataclass(frozen=True)
class ExchangeStarted:
    exchange_id: int
    order_number: str
    product_name: str
    replacement_name: str
    reason: ExchangeReason
    difference: Decimal  # positive: charged to the customer; negative: refunded; 0: even swap
    currency: str


def price_difference(paid: Decimal, replacement: Decimal, policy: ExchangePolicy) -> Decimal:
    """What the customer pays (positive) or gets back (negative) for one unit."""
    difference = replacement - paid
    if difference > 0 and policy.difference_paid_by == "shop":
        return Decimal("0.00")
    return difference.quantize(Decimal("0.01"))


def _replacement(session: Session, product: Product, wanted: str) -> Product | None:
    key = " ".join(wanted.split()).casefold()
    candidates = session.scalars(
        select(Product).where(Product.category == product.category).with_for_update()
    )
    for candidate in candidates:
        if key in (candidate.sku.casefold(), candidate.name.casefold()):
            return candidate
    return None


class ExchangeSupport:
    """Exchange operations, scoped to a verified customer id."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        policy: ExchangePolicy,
        clock: Callable[[], datetime],
        profile_changes: ProfileChanges | None = None,
    ) -> None:
        self._sessions = sessions
        self.policy = policy
        self._clock = clock
        self.profile_changes = profile_changes

    def _line(self, session: Session, order: Order, item: str) -> ReturnableLine | ExchangeRefusal:
        delivered = [s.delivered_at for s in order.shipments if s.delivered_at is not None]
        if order.status not in RETURNABLE or not delivered:
            return ExchangeRefusal.NOT_DELIVERED
        deadline = max(delivered).date() + timedelta(days=self.policy.window_days)
        if self._clock().date() > deadline:
            return ExchangeRefusal.WINDOW_PASSED
        gone = taken_back(session, order.id)
        lines = [
            ReturnableLine(line.id, line.product.name, line.quantity - left, line.unit_price)
            for line in order.lines
            if (left := gone.get(line.id, 0)) < line.quantity
        ]
        return pick_line(lines, item) or ExchangeRefusal.UNKNOWN_ITEM

    def start_exchange(
        self,
        customer_id: int,
        order_number: str,
        item: str,
        wanted: str,
        reason: ExchangeReason,
    ) -> ExchangeStarted | ExchangeRefused:
        """Exchange one unit of ``item`` for ``wanted`` (ignored when defective: same product)."""
        number = normalise_order_number(order_number)
        outcome = self._start(customer_id, number, item, wanted, reason)
        if self.profile_changes is not None and isinstance(outcome, ExchangeStarted):
            self.profile_changes.changed(customer_id)
        return outcome

    def _start(
        self, customer_id: int, number: str, item: str, wanted: str, reason: ExchangeReason
    ) -> ExchangeStarted | ExchangeRefused:
        with self._sessions.begin() as session:
            order = session.scalar(
                select(Order)
                .where(Order.number == number, Order.customer_id == customer_id)
                .with_for_update()
            )
            if order is None:
                return ExchangeRefused(ExchangeRefusal.NOT_FOUND, number)
            line = self._line(session, order, item)
            if isinstance(line, ExchangeRefusal):
                return ExchangeRefused(line, order.number)
            original = next(x for x in order.lines if x.id == line.line_id).product
            if not self.policy.allows_category(original.category):
                return ExchangeRefused(ExchangeRefusal.NOT_EXCHANGEABLE, order.number)
            if reason == ExchangeReason.DEFECTIVE:
                if not self.policy.defective_replacement:
                    return ExchangeRefused(ExchangeRefusal.NO_DEFECTIVE_REPLACEMENT, order.number)
                replacement: Product | None = original
                session.refresh(original, with_for_update=True)
            else:
                replacement = _replacement(session, original, wanted)
            if replacement is None:
                return ExchangeRefused(ExchangeRefusal.NO_SUCH_VARIANT, order.number)
            if replacement.stock < 1:
                return ExchangeRefused(ExchangeRefusal.OUT_OF_STOCK, order.number)
            difference = (
                Decimal("0.00")
                if reason == ExchangeReason.DEFECTIVE
                else price_difference(line.unit_price, replacement.price, self.policy)
            )
            replacement.stock -= 1
            created = Exchange(
                order_id=order.id,
                order_line_id=line.line_id,
                quantity=1,
                replacement_product_id=replacement.id,
                reason=reason,
                price_difference=difference,
                status=ExchangeStatus.REQUESTED,
                created_at=self._clock(),
            )
            session.add(created)
            session.flush()
            return ExchangeStarted(
                exchange_id=created.id,
                order_number=order.number,
                product_name=line.product_name,
                replacement_name=replacement.name,
                reason=reason,
                difference=difference,
                currency=order.currency,
            )
