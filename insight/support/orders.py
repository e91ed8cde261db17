"""Order operations for one verified customer: look-ups, cancellation, address change, returns.

Every method takes the customer id the conversation verified and only ever sees that customer's
orders: someone else's order reads exactly like a missing one (``Refusal.NOT_FOUND``). The
writes lock the order row (``SELECT … FOR UPDATE`` where the database supports it) and re-check
the business rule inside the same transaction, so a rule checked earlier in the conversation
cannot be stale when the change is made. Once a write has committed, ``profile_changes`` (if
given) hears that the customer changed, so that their profile is refreshed off the request path.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import (
    Exchange,
    ExchangeStatus,
    Order,
    OrderLine,
    OrderStatus,
    Refund,
    RefundStatus,
    Return,
    ReturnStatus,
)
from insight.domain import OrderDetails
from insight.profiles.contracts import ProfileChanges
from insight.repositories.orders import OrderRepository, normalise_order_number
from insight.support.address import PostalAddress

# Orders that have not been handed to a carrier yet can still be cancelled or redirected.
BEFORE_DISPATCH = frozenset({OrderStatus.PLACED, OrderStatus.PAID, OrderStatus.PACKED})
# Money has been taken for these, so cancelling them owes the shopper a refund.
PAID = frozenset({OrderStatus.PAID, OrderStatus.PACKED})
RETURNABLE = frozenset({OrderStatus.DELIVERED, OrderStatus.RETURNED})


class Refusal(enum.StrEnum):
    NOT_FOUND = "not_found"  # no such order on this customer's account
    CANCELLED = "cancelled"  # the order is already cancelled
    DISPATCHED = "dispatched"  # already with the carrier: too late to cancel or redirect
    NOT_DELIVERED = "not_delivered"  # nothing to return before it arrives
    WINDOW_PASSED = "window_passed"  # delivered longer ago than the return window
    NOTHING_LEFT = "nothing_left"  # every item of the order is already being returned
    UNKNOWN_ITEM = "unknown_item"  # that item is not on the order (or not returnable)


class RefundMethod(enum.StrEnum):
    ORIGINAL_PAYMENT = "original_payment"
    STORE_CREDIT = "store_credit"


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    order_number: str
    deadline: date | None = None  # the last day a return was possible (WINDOW_PASSED)


@dataclass(frozen=True)
class Cancellation:
    order_number: str
    refund: Decimal | None  # None when nothing had been paid yet
    currency: str


@dataclass(frozen=True)
class AddressChanged:
    order_number: str
    address: PostalAddress
    country: str


@dataclass(frozen=True)
class ReturnableLine:
    line_id: int
    product_name: str
    quantity: int  # what is left to return of this line
    unit_price: Decimal


@dataclass(frozen=True)
class ReturnableOrder:
    order_number: str
    lines: tuple[ReturnableLine, ...]  # the items that can still be returned
    deadline: date


@dataclass(frozen=True)
class ReturnStarted:
    return_id: int
    order_number: str
    product_name: str
    quantity: int
    refund_method: RefundMethod
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class ReturnInfo:
    product_name: str
    quantity: int
    status: str
    created_at: datetime


@dataclass(frozen=True)
class RefundInfo:
    amount: Decimal
    method: str
    status: str
    created_at: datetime
    issued_at: datetime | None


@dataclass(frozen=True)
class RefundOverview:
    order_number: str
    currency: str
    returns: tuple[ReturnInfo, ...]
    refunds: tuple[RefundInfo, ...]


def _locked_order(session: Session, customer_id: int, order_number: str) -> Order | None:
    query = (
        select(Order)
        .where(
            Order.number == normalise_order_number(order_number),
            Order.customer_id == customer_id,
        )
        .with_for_update()
    )
    return session.scalar(query)


def taken_back(session: Session, order_id: int) -> dict[int, int]:
    """Units of each order line already being returned or exchanged (one unit, one operation)."""
    gone: dict[int, int] = {}
    for model, live in (
        (Return, Return.status != ReturnStatus.REJECTED),
        (Exchange, Exchange.status != ExchangeStatus.CANCELLED),
    ):
        rows = session.execute(
            select(model.order_line_id, func.sum(model.quantity))
            .where(model.order_id == order_id, live)
            .group_by(model.order_line_id)
        )
        for line_id, quantity in rows:
            gone[line_id] = gone.get(line_id, 0) + int(quantity)
    return gone


def _dispatch_refusal(number: str, status: str, shipped: bool) -> Refused | None:
    """Why an order can no longer be cancelled or redirected, or ``None`` when it still can."""
    if status == OrderStatus.CANCELLED:
        return Refused(Refusal.CANCELLED, number)
    if status not in BEFORE_DISPATCH or shipped:
        return Refused(Refusal.DISPATCHED, number)
    return None


Params = ParamSpec("Params")
Outcome = TypeVar("Outcome")


def _changes_profile(
    write: Callable[Concatenate[OrderSupport, int, Params], Outcome],
) -> Callable[Concatenate[OrderSupport, int, Params], Outcome]:
    """After ``write`` returns (its transaction has committed) with anything but a refusal,
    tell ``profile_changes`` that the customer changed."""

    @functools.wraps(write)
    def written(
        support: OrderSupport, customer_id: int, /, *args: Params.args, **kwargs: Params.kwargs
    ) -> Outcome:
        outcome = write(support, customer_id, *args, **kwargs)
        if support.profile_changes is not None and not isinstance(outcome, Refused):
            support.profile_changes.changed(customer_id)
        return outcome

    return written


class OrderSupport:
    """The support desk's order operations, scoped to a verified customer id."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        return_window_days: int,
        clock: Callable[[], datetime],
        profile_changes: ProfileChanges | None = None,
    ) -> None:
        self._sessions = sessions
        self._orders = OrderRepository(sessions)
        self.return_window_days = return_window_days
        self._clock = clock
        self.profile_changes = profile_changes

    def find(self, customer_id: int, order_number: str) -> OrderDetails | None:
        return self._orders.for_customer(customer_id, order_number)

    def latest(self, customer_id: int) -> OrderDetails | None:
        return self._orders.latest_for_customer(customer_id)

    def recent(self, customer_id: int, limit: int = 5) -> list[OrderDetails]:
        return self._orders.recent_for_customer(customer_id, limit)

    def today(self) -> date:
        return self._clock().date()

    def latest_returnable(self, customer_id: int) -> OrderDetails | None:
        """The most recent order with something still returnable, else the latest order."""
        recent = self.recent(customer_id)
        for order in recent:
            if isinstance(self.check_returnable(customer_id, order.number), ReturnableOrder):
                return order
        return recent[0] if recent else None

    # cancellation and delivery address ------------------------------------------------------

    def check_before_dispatch(self, customer_id: int, order_number: str) -> OrderDetails | Refused:
        """The order while it can still be cancelled or redirected, else why not."""
        order = self.find(customer_id, order_number)
        if order is None:
            return Refused(Refusal.NOT_FOUND, normalise_order_number(order_number))
        return _dispatch_refusal(order.number, order.status, bool(order.shipments)) or order

    @_changes_profile
    def cancel(self, customer_id: int, order_number: str) -> Cancellation | Refused:
        with self._sessions.begin() as session:
            order = _locked_order(session, customer_id, order_number)
            if order is None:
                return Refused(Refusal.NOT_FOUND, normalise_order_number(order_number))
            refusal = _dispatch_refusal(order.number, order.status, bool(order.shipments))
            if refusal:
                return refusal
            refund = order.total if order.status in PAID else None
            order.status = OrderStatus.CANCELLED
            if refund is not None:
                session.add(
                    Refund(
                        order_id=order.id,
                        return_id=None,
                        amount=refund,
                        method=order.payment_method,
                        status=RefundStatus.PENDING,
                        created_at=self._clock(),
                        issued_at=None,
                    )
                )
            return Cancellation(order.number, refund, order.currency)

    @_changes_profile
    def change_address(
        self, customer_id: int, order_number: str, address: PostalAddress
    ) -> AddressChanged | Refused:
        with self._sessions.begin() as session:
            order = _locked_order(session, customer_id, order_number)
            if order is None:
                return Refused(Refusal.NOT_FOUND, normalise_order_number(order_number))
            refusal = _dispatch_refusal(order.number, order.status, bool(order.shipments))
            if refusal:
                return refusal
            order.ship_street = address.street
            order.ship_city = address.city
            order.ship_postcode = address.postcode
            return AddressChanged(order.number, address, order.ship_country)

    # returns --------------------------------------------------------------------------------

    def _returnable(self, session: Session, order: Order) -> ReturnableOrder | Refused:
        delivered = [s.delivered_at for s in order.shipments if s.delivered_at is not None]
        if order.status not in RETURNABLE or not delivered:
            return Refused(Refusal.NOT_DELIVERED, order.number)
        deadline = max(delivered).date() + timedelta(days=self.return_window_days)
        if self._clock().date() > deadline:
            return Refused(Refusal.WINDOW_PASSED, order.number, deadline)
        returned = taken_back(session, order.id)
        lines = tuple(
            ReturnableLine(line.id, line.product.name, line.quantity - gone, line.unit_price)
            for line in order.lines
            if (gone := returned.get(line.id, 0)) < line.quantity
        )
        if not lines:
            return Refused(Refusal.NOTHING_LEFT, order.number)
        return ReturnableOrder(order.number, lines, deadline)

    def check_returnable(self, customer_id: int, order_number: str) -> ReturnableOrder | Refused:
        with self._sessions() as session:
            order = session.scalar(
                select(Order).where(
                    Order.number == normalise_order_number(order_number),
                    Order.customer_id == customer_id,
                )
            )
            if order is None:
                return Refused(Refusal.NOT_FOUND, normalise_order_number(order_number))
            return self._returnable(session, order)

    @_changes_profile
    def start_return(
        self,
        customer_id: int,
        order_number: str,
        item: str,
        reason: str,
        refund_method: RefundMethod,
    ) -> ReturnStarted | Refused:
        """Return what is left of the item named ``item``, re-checked in the transaction."""
        with self._sessions.begin() as session:
            order = _locked_order(session, customer_id, order_number)
            if order is None:
                return Refused(Refusal.NOT_FOUND, normalise_order_number(order_number))
            checked = self._returnable(session, order)
            if isinstance(checked, Refused):
                return checked
            line = pick_line(checked.lines, item)
            if line is None:
                return Refused(Refusal.UNKNOWN_ITEM, order.number)
            created = Return(
                order_id=order.id,
                order_line_id=line.line_id,
                quantity=line.quantity,
                reason=" ".join(reason.split())[:300],
                refund_method=refund_method.value,
                status=ReturnStatus.REQUESTED,
                created_at=self._clock(),
            )
            session.add(created)
            session.flush()
            return ReturnStarted(
                return_id=created.id,
                order_number=order.number,
                product_name=line.product_name,
                quantity=line.quantity,
                refund_method=refund_method,
                amount=line.unit_price * line.quantity,
                currency=order.currency,
            )

    # refunds --------------------------------------------------------------------------------

    def refunds(self, customer_id: int, order_number: str | None) -> RefundOverview | None:
        """Returns and refunds of one order, or of the customer's latest order that has any."""
        with self._sessions() as session:
            query = select(Order).where(Order.customer_id == customer_id)
            if order_number is not None:
                query = query.where(Order.number == normalise_order_number(order_number))
            else:
                with_money_back = select(Refund.order_id).union(select(Return.order_id))
                query = query.where(Order.id.in_(with_money_back.scalar_subquery()))
            order = session.scalar(query.order_by(Order.placed_at.desc(), Order.id.desc()))
            if order is None:
                return None
            returns = session.execute(
                select(Return, OrderLine)
                .join(OrderLine, OrderLine.id == Return.order_line_id)
                .where(Return.order_id == order.id)
                .order_by(Return.created_at)
            )
            refunds = session.scalars(
                select(Refund).where(Refund.order_id == order.id).order_by(Refund.created_at)
            )
            return RefundOverview(
                order_number=order.number,
                currency=order.currency,
                returns=tuple(
                    ReturnInfo(line.product.name, ret.quantity, ret.status.value, ret.created_at)
                    for ret, line in returns
                ),
                refunds=tuple(
                    RefundInfo(r.amount, r.method, r.status.value, r.created_at, r.issued_at)
                    for r in refunds
                ),
            )


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def pick_line(lines: Sequence[ReturnableLine], text: str) -> ReturnableLine | None:
    """The one item whose name shares the most words with what the shopper typed, if unique."""
    said = _words(text)
    scored = sorted(
        ((len(said & _words(line.product_name)), line) for line in lines), key=lambda pair: -pair[0]
    )
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1]


def parse_refund_method(text: str) -> RefundMethod | None:
    """Store credit ("a voucher") or the original payment ("my card"); ``None`` if unclear."""
    lowered = text.lower().replace("credit card", "card")
    credit = any(word in lowered for word in ("credit", "voucher", "gift card", "store", "shop"))
    original = any(
        word in lowered for word in ("original", "card", "paypal", "bank", "back", "same", "money")
    )
    if credit == original:
        return None
    return RefundMethod.STORE_CREDIT if credit else RefundMethod.ORIGINAL_PAYMENT
