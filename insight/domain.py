"""Frozen dataclasses that cross layer boundaries. Repositories return these, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class CustomerSummary:
    id: int
    external_ref: str
    name: str
    email: str
    country: str
    created_at: datetime

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""


@dataclass(frozen=True)
class ProductInfo:
    id: int
    sku: str
    name: str
    category: str
    brand: str
    price: Decimal
    stock: int
    description: str

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


@dataclass(frozen=True)
class CategorySummary:
    name: str
    product_count: int
    min_price: Decimal
    max_price: Decimal


@dataclass(frozen=True)
class OrderLineInfo:
    id: int
    product_id: int
    product_name: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class ShipmentEventInfo:
    occurred_at: datetime
    status: str
    location: str
    description: str


@dataclass(frozen=True)
class ShipmentInfo:
    carrier: str
    tracking_number: str
    status: str
    shipped_at: datetime
    eta: date
    delivered_at: datetime | None
    events: tuple[ShipmentEventInfo, ...]


@dataclass(frozen=True)
class OrderDetails:
    number: str
    customer_id: int
    placed_at: datetime
    status: str
    currency: str
    total: Decimal
    ship_city: str
    ship_country: str
    lines: tuple[OrderLineInfo, ...]
    shipments: tuple[ShipmentInfo, ...]

    @property
    def latest_shipment(self) -> ShipmentInfo | None:
        return self.shipments[-1] if self.shipments else None
