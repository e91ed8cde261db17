"""Orders as a shopper may see them: every read is scoped to one verified customer."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from insight.db.models import Customer, Order, OrderLine, Shipment
from insight.domain import OrderDetails, OrderLineInfo, ShipmentEventInfo, ShipmentInfo


def normalise_order_number(raw: str) -> str:
    """Order numbers are matched without spaces, case-insensitively ("ss 100234" → "SS-100234")."""
    compact = "".join(ch for ch in raw.upper() if ch.isalnum())
    if compact.startswith("SS"):
        compact = compact[2:]
    return f"SS-{compact}" if compact.isdigit() else raw.strip().upper()


def _details(order: Order) -> OrderDetails:
    return OrderDetails(
        number=order.number,
        customer_id=order.customer_id,
        placed_at=order.placed_at,
        status=order.status.value,
        currency=order.currency,
        total=order.total,
        ship_city=order.ship_city,
        ship_country=order.ship_country,
        lines=tuple(
            OrderLineInfo(
                id=line.id,
                product_id=line.product_id,
                product_name=line.product.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line in order.lines
        ),
        shipments=tuple(
            ShipmentInfo(
                carrier=shipment.carrier,
                tracking_number=shipment.tracking_number,
                status=shipment.status.value,
                shipped_at=shipment.shipped_at,
                eta=shipment.eta,
                delivered_at=shipment.delivered_at,
                events=tuple(
                    ShipmentEventInfo(
                        occurred_at=event.occurred_at,
                        status=event.status.value,
                        location=event.location,
                        description=event.description,
                    )
                    for event in shipment.events
                ),
            )
            for shipment in order.shipments
        ),
    )


def _with_details(query: Select[Order]) -> Select[Order]:
    return query.options(
        selectinload(Order.lines).selectinload(OrderLine.product),
        selectinload(Order.shipments).selectinload(Shipment.events),
    )


class OrderRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def for_customer(self, customer_id: int, order_number: str) -> OrderDetails | None:
        """The order if it exists *and* belongs to ``customer_id``; otherwise ``None``.

        Callers cannot tell "no such order" from "someone else's order", by design.
        """
        query = _with_details(
            select(Order).where(
                Order.number == normalise_order_number(order_number),
                Order.customer_id == customer_id,
            )
        )
        with self._sessions() as session:
            order = session.scalar(query)
            return _details(order) if order else None

    def by_number(self, order_number: str) -> OrderDetails | None:
        """Any customer's order: for staff (the agent desk), never for a shopper's request."""
        query = _with_details(
            select(Order).where(Order.number == normalise_order_number(order_number))
        )
        with self._sessions() as session:
            order = session.scalar(query)
            return _details(order) if order else None

    def latest_for_customer(self, customer_id: int) -> OrderDetails | None:
        query = _with_details(
            select(Order)
            .where(Order.customer_id == customer_id)
            .order_by(Order.placed_at.desc(), Order.id.desc())
            .limit(1)
        )
        with self._sessions() as session:
            order = session.scalar(query)
            return _details(order) if order else None

    def recent_for_customer(self, customer_id: int, limit: int = 5) -> list[OrderDetails]:
        query = _with_details(
            select(Order)
            .where(Order.customer_id == customer_id)
            .order_by(Order.placed_at.desc(), Order.id.desc())
            .limit(limit)
        )
        with self._sessions() as session:
            return [_details(order) for order in session.scalars(query)]

    def verify_guest(self, order_number: str, email: str) -> int | None:
        """The customer id when ``email`` is the address on the order's account, else ``None``."""
        query = (
            select(Customer.id)
            .join(Order, Order.customer_id == Customer.id)
            .where(
                Order.number == normalise_order_number(order_number),
                func.lower(Customer.email) == email.strip().lower(),
            )
        )
        with self._sessions() as session:
            return session.scalar(query)
