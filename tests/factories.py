"""A small shop with known contents, small enough to reason about by hand in tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import (
    Customer,
    CustomerProfileRow,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Refund,
    RefundStatus,
    Return,
    ReturnStatus,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
    Voucher,
)
from insight.support.policies import RetentionPolicy

TODAY = datetime(2026, 11, 20, 12, 0)
# The test shops' retention policy: 10 % (at most €30) for a €500 customer at 70 % churn risk.
RETENTION_POLICY = RetentionPolicy(
    enabled=True,
    percent=Decimal(10),
    max_value=Decimal(30),
    min_lifetime_value=Decimal(500),
    min_churn_risk=0.7,
    once_per_days=180,
    valid_days=30,
)


@dataclass(frozen=True)
class ShopFixture:
    ada_id: int
    ben_id: int
    ada_shipped_order: str
    ada_unshipped_order: str
    ben_order: str
    laptop_id: int
    headphones_id: int


def address(name: str) -> dict[str, str]:
    return {
        "ship_name": name,
        "ship_street": "1 Test Street",
        "ship_city": "Oslo",
        "ship_postcode": "0150",
        "ship_country": "NO",
    }


def shipped_order(
    number: str, customer: Customer, products: list[Product], tracking: str, eta: date
) -> Order:
    """An order placed 3 days before TODAY, in transit with DHL (last seen in Hamburg)."""
    order = Order(
        number=number,
        customer=customer,
        placed_at=TODAY - timedelta(days=3),
        status=OrderStatus.SHIPPED,
        currency="EUR",
        total=sum((product.price for product in products), Decimal(0)),
        payment_method="card",
        **address(customer.name),
    )
    order.lines = [OrderLine(product=p, quantity=1, unit_price=p.price) for p in products]
    shipment = Shipment(
        carrier="DHL",
        tracking_number=tracking,
        status=ShipmentStatus.IN_TRANSIT,
        shipped_at=TODAY - timedelta(days=2),
        eta=eta,
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
    order.shipments = [shipment]
    return order


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

        shipped = shipped_order("SS-100001", ada, [laptop], "DHL123456", date(2026, 11, 22))
        unshipped = Order(
            number="SS-100002",
            customer=ada,
            placed_at=TODAY - timedelta(hours=5),
            status=OrderStatus.PAID,
            currency="EUR",
            total=Decimal("199.80"),
            payment_method="paypal",
            **address("Ada Lovelace"),
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
            **address("Ben Okafor"),
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


@dataclass(frozen=True)
class SupportShopFixture:
    """The small shop plus Cleo, whose delivered orders exercise returns and refunds."""

    small: ShopFixture
    cleo_id: int
    cleo_recent_delivered: str  # delivered 10 days before TODAY: two lines, returnable
    cleo_old_delivered: str  # delivered 60 days before TODAY: outside a 30-day window
    cleo_returned: str  # delivered 20 days before TODAY, its item returned, refund pending


def delivered_order(
    number: str, customer: Customer, lines: list[OrderLine], days_ago: int
) -> Order:
    delivered_at = TODAY - timedelta(days=days_ago)
    order = Order(
        number=number,
        customer=customer,
        placed_at=delivered_at - timedelta(days=3),
        status=OrderStatus.DELIVERED,
        currency="EUR",
        total=sum((line.unit_price * line.quantity for line in lines), Decimal(0)),
        payment_method="card",
        **address(customer.name),
    )
    order.lines = lines
    shipment = Shipment(
        carrier="DPD",
        tracking_number=f"DPD{number[-6:]}",
        status=ShipmentStatus.DELIVERED,
        shipped_at=delivered_at - timedelta(days=2),
        eta=delivered_at.date(),
        delivered_at=delivered_at,
    )
    shipment.events = [
        ShipmentEvent(
            occurred_at=delivered_at - timedelta(days=2),
            status=ShipmentStatus.IN_TRANSIT,
            location="Hamburg",
            description="Parcel handed to the carrier",
        ),
        ShipmentEvent(
            occurred_at=delivered_at,
            status=ShipmentStatus.DELIVERED,
            location="Oslo",
            description="Delivered",
        ),
    ]
    order.shipments = [shipment]
    return order


def refund_pending_return(
    session: Session, order: Order, reason: str, returned_days_ago: int
) -> None:
    """The order's first line came back (received ``returned_days_ago`` days before TODAY) and
    its refund to the card, for the line's price, is pending since two days ago."""
    session.flush()
    line = order.lines[0]
    parcel_back = Return(
        order_id=order.id,
        order_line_id=line.id,
        quantity=1,
        reason=reason,
        refund_method="original_payment",
        status=ReturnStatus.RECEIVED,
        created_at=TODAY - timedelta(days=returned_days_ago),
    )
    session.add(parcel_back)
    session.flush()
    session.add(
        Refund(
            order_id=order.id,
            return_id=parcel_back.id,
            amount=line.unit_price * line.quantity,
            method="card",
            status=RefundStatus.PENDING,
            created_at=TODAY - timedelta(days=2),
            issued_at=None,
        )
    )


def shop_vouchers(ada_id: int, ben_id: int) -> list[Voucher]:
    """One code for each answer to "why doesn't my code work"; SAVE10 works on €50 or more."""

    def code(name: str, **terms: object) -> Voucher:
        defaults: dict[str, object] = {"excluded_categories": [], "times_used": 0}
        return Voucher(code=name, created_at=TODAY - timedelta(days=60), **(defaults | terms))

    return [
        code("SAVE10", percent_off=Decimal(10), min_basket=Decimal(50)),
        code("WELCOME15", percent_off=Decimal(15), min_basket=Decimal(150)),
        code("TECH5", amount_off=Decimal(5), excluded_categories=["Headphones"]),
        code("SUMMER20", percent_off=Decimal(20), valid_until=TODAY - timedelta(days=50)),
        code("XMAS25", percent_off=Decimal(25), valid_from=TODAY + timedelta(days=15)),
        code("FLASH50", percent_off=Decimal(50), max_uses=100, times_used=100),
        code("BENVIP20", percent_off=Decimal(20), customer_id=ben_id, max_uses=1),
        code("ADAGIFT", amount_off=Decimal(20), customer_id=ada_id, max_uses=1, times_used=1),
    ]


def build_support_shop(sessions: sessionmaker[Session]) -> SupportShopFixture:
    """``build_small_shop`` plus a third customer with delivered, old and returned orders, and
    the vouchers of ``shop_vouchers``."""
    small = build_small_shop(sessions)
    with sessions() as session:
        laptop = session.get(Product, small.laptop_id)
        headphones = session.get(Product, small.headphones_id)
        assert laptop is not None and headphones is not None
        cleo = Customer(
            external_ref="C-CLEO",
            email="cleo@example.com",
            name="Cleo Martins",
            country="NO",
            city="Oslo",
            created_at=TODAY - timedelta(days=200),
        )
        recent = delivered_order(
            "SS-100004",
            cleo,
            [
                OrderLine(product=headphones, quantity=1, unit_price=Decimal("99.90")),
                OrderLine(product=laptop, quantity=1, unit_price=Decimal("799.00")),
            ],
            days_ago=10,
        )
        old = delivered_order(
            "SS-100005",
            cleo,
            [
                OrderLine(product=headphones, quantity=1, unit_price=Decimal("89.90")),
            ],
            days_ago=60,
        )
        returned = delivered_order(
            "SS-100006",
            cleo,
            [
                OrderLine(product=headphones, quantity=1, unit_price=Decimal("99.90")),
            ],
            days_ago=20,
        )
        returned.status = OrderStatus.RETURNED
        session.add_all([cleo, recent, old, returned, *shop_vouchers(small.ada_id, small.ben_id)])
        session.flush()
        refund_pending_return(session, returned, "Too tight on the ears", returned_days_ago=15)
        session.commit()
        return SupportShopFixture(
            small=small,
            cleo_id=cleo.id,
            cleo_recent_delivered=recent.number,
            cleo_old_delivered=old.number,
            cleo_returned=returned.number,
        )


def profile_row(
    customer_id: int, churn_risk: float | None, spent: float, expected: float = 50.0
) -> CustomerProfileRow:
    """A built profile: ``spent`` so far, ``expected`` in the next 12 months, ``churn_risk``."""
    return CustomerProfileRow(
        customer_id=customer_id,
        segment_id=0,
        segment="lapsing big spenders",
        churn_risk=churn_risk,
        predicted_value_12m=expected,
        expected_orders_12m=0.2,
        recency_days=200.0,
        frequency=6,
        monetary=spent,
        avg_order_value=spent / 6,
        tenure_days=700.0,
        price_band="high",
        views_per_order=None,
        return_rate=0.0,
        days_since_contact=None,
        top_categories=["Laptops"],
        top_brands=["Aero"],
        sentiment=None,
        review_count=0,
        top_topics=[],
        last_order_number=None,
        last_order_at=None,
        vector=[0.0],
        as_of=TODAY,
        built_at=TODAY,
    )
