"""A small shop with known contents, small enough to reason about by hand in tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import (
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
)

TODAY = datetime(2026, 11, 20, 12, 0)


@dataclass(frozen=True)
class ShopFixture:
    ada_id: int
    ben_id: int
    ada_shipped_order: str
    ada_unshipped_order: str
    ben_order: str
    laptop_id: int
    headphones_id: int


def _address(name: str) -> dict[str, str]:
    return {
        "ship_name": name,
        "ship_street": "1 Test Street",
        "ship_city": "Oslo",
        "ship_postcode": "0150",
        "ship_country": "NO",
    }


def build_small_shop(sessions: sessionmaker[Session]) -> ShopFixture:
    """Two customers, three products in two categories, three orders, one shipment."""
    with sessions() as session:
        ada = Customer(
            external_ref="C-ADA",
            email="ada@example.com",
            name="Ada Lovelace",
            country="NO",
            city="Oslo",
            created_at=TODAY - timedelta(days=400),
        )
        ben = Customer(
            external_ref="C-BEN",
            email="ben@example.com",
            name="Ben Okafor",
            country="DE",
            city="Berlin",
            created_at=TODAY - timedelta(days=30),
        )
        laptop = Product(
            sku="LAP-1",
            name="Aero 14 Laptop",
            category="Laptops",
            brand="Aero",
            price=Decimal("799.00"),
            stock=4,
            description="14-inch laptop",
            created_at=TODAY,
        )
        ultrabook = Product(
            sku="LAP-2",
            name="Zen 13 Ultrabook",
            category="Laptops",
            brand="Zen",
            price=Decimal("1199.00"),
            stock=0,
            description="13-inch ultrabook",
            created_at=TODAY,
        )
        headphones = Product(
            sku="HP-1",
            name="Quiet 2 Headphones",
            category="Headphones",
            brand="Quiet",
            price=Decimal("99.90"),
            stock=12,
            description="noise-cancelling headphones",
            created_at=TODAY,
        )
        session.add_all([ada, ben, laptop, ultrabook, headphones])
        session.flush()

        shipped = Order(
            number="SS-100001",
            customer=ada,
            placed_at=TODAY - timedelta(days=3),
            status=OrderStatus.SHIPPED,
            currency="EUR",
            total=Decimal("799.00"),
            payment_method="card",
            **_address("Ada Lovelace"),
        )
        shipped.lines = [OrderLine(product=laptop, quantity=1, unit_price=Decimal("799.00"))]
        shipment = Shipment(
            carrier="DHL",
            tracking_number="DHL123456",
            status=ShipmentStatus.IN_TRANSIT,
            shipped_at=TODAY - timedelta(days=2),
            eta=date(2026, 11, 22),
        )
        shipment.events = [
            ShipmentEvent(
                occurred_at=TODAY - timedelta(days=1),
                status=ShipmentStatus.IN_TRANSIT,
                location="Hamburg",
                description="Arrived at sorting centre",
            ),
            ShipmentEvent(
                occurred_at=TODAY - timedelta(days=2),
                status=ShipmentStatus.LABEL_CREATED,
                location="Berlin",
                description="Label created",
            ),
        ]
        shipped.shipments = [shipment]
        unshipped = Order(
            number="SS-100002",
            customer=ada,
            placed_at=TODAY - timedelta(hours=5),
            status=OrderStatus.PAID,
            currency="EUR",
            total=Decimal("199.80"),
            payment_method="paypal",
            **_address("Ada Lovelace"),
        )
        unshipped.lines = [OrderLine(product=headphones, quantity=2, unit_price=Decimal("99.90"))]
        bens = Order(
            number="SS-100003",
            customer=ben,
            placed_at=TODAY - timedelta(days=1),
            status=OrderStatus.PLACED,
            currency="EUR",
            total=Decimal("99.90"),
            payment_method="card",
            **_address("Ben Okafor"),
        )
        bens.lines = [OrderLine(product=headphones, quantity=1, unit_price=Decimal("99.90"))]
        session.add_all([shipped, unshipped, bens])
        session.commit()
        return ShopFixture(
            ada_id=ada.id,
            ben_id=ben.id,
            ada_shipped_order=shipped.number,
            ada_unshipped_order=unshipped.number,
            ben_order=bens.number,
            laptop_id=laptop.id,
            headphones_id=headphones.id,
        )
