"""A fresh customer for every scenario, so that one scenario's cancellation or return cannot
change what the next one finds. Each gets the same five orders, numbered after the scenario."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import (
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    Product,
)
from tests.factories import TODAY, delivered_order, refund_pending_return, shipped_order

FIRST_NAMES = ("Maja", "Tomasz", "Ines", "Kofi", "Yuki", "Lars", "Priya", "Mateo", "Aino", "Omar")
ORDER_KINDS = ("shipped", "paid", "delivered", "old", "returned")
SHIPPED_ETA = date(2026, 11, 22)


@dataclass(frozen=True)
class Persona:
    """The scenario's shopper: who they are and the numbers of their five orders."""

    customer_id: int
    ref: str
    first_name: str
    email: str
    orders: dict[str, str]  # kind (ORDER_KINDS) → order number
    tracking: str  # the shipped order's DHL tracking number


def order_number(serial: int, kind: str) -> str:
    """``SS-5<serial:04d><kind>``: six digits, unique per scenario and order kind."""
    return f"SS-5{serial:04d}{ORDER_KINDS.index(kind) + 1}"


def tracking_number(serial: int) -> str:
    return f"DHL5{serial:05d}"


def add_persona(sessions: sessionmaker[Session], serial: int) -> Persona:
    """Shipped laptop (DHL, ETA Sun 22 Nov), paid headphones ×2 (€199.80, PayPal), delivered
    10 days ago (headphones + laptop, returnable), delivered 60 days ago (outside the window),
    and returned headphones with a €99.90 refund pending."""
    first_name = FIRST_NAMES[serial % len(FIRST_NAMES)]
    with sessions() as session:
        laptop = _product(session, "LAP-1")
        headphones = _product(session, "HP-1")
        customer = Customer(
            external_ref=f"C-BENCH-{serial:04d}",
            email=f"{first_name.lower()}.{serial:04d}@example.net",
            name=f"{first_name} Bench{serial:04d}",
            country="NO",
            city="Oslo",
            created_at=TODAY - timedelta(days=300),
        )
        shipped = shipped_order(
            order_number(serial, "shipped"),
            customer,
            [laptop],
            tracking_number(serial),
            SHIPPED_ETA,
        )
        paid = Order(
            number=order_number(serial, "paid"),
            customer=customer,
            placed_at=TODAY - timedelta(hours=6),
            status=OrderStatus.PAID,
            currency="EUR",
            total=Decimal("199.80"),
            payment_method="paypal",
            ship_name=customer.name,
            ship_street="7 Fjord Lane",
            ship_city="Oslo",
            ship_postcode="0151",
            ship_country="NO",
        )
        paid.lines = [OrderLine(product=headphones, quantity=2, unit_price=headphones.price)]
        delivered = delivered_order(
            order_number(serial, "delivered"),
            customer,
            [
                OrderLine(product=headphones, quantity=1, unit_price=headphones.price),
                OrderLine(product=laptop, quantity=1, unit_price=laptop.price),
            ],
            days_ago=10,
        )
        old = delivered_order(
            order_number(serial, "old"),
            customer,
            [OrderLine(product=headphones, quantity=1, unit_price=headphones.price)],
            days_ago=60,
        )
        returned = delivered_order(
            order_number(serial, "returned"),
            customer,
            [OrderLine(product=headphones, quantity=1, unit_price=headphones.price)],
            days_ago=20,
        )
        returned.status = OrderStatus.RETURNED
        session.add_all([customer, shipped, paid, delivered, old, returned])
        session.flush()
        refund_pending_return(session, returned, "did not like the sound", returned_days_ago=12)
        session.commit()
        return Persona(
            customer_id=customer.id,
            ref=customer.external_ref,
            first_name=first_name,
            email=customer.email,
            orders={kind: order_number(serial, kind) for kind in ORDER_KINDS},
            tracking=tracking_number(serial),
        )


def _product(session: Session, sku: str) -> Product:
    product = session.scalar(select(Product).where(Product.sku == sku))
    if product is None:
        raise LookupError(f"the benchmark shop needs product {sku} (tests.factories' small shop)")
    return product
