"""Values as the chat shows them (money, days, item lists) and the widget's card payloads.

The sentences around these values live in the assistant's responses; the cards follow the
widget's contract (``{"order": {...}}`` and ``{"products": [...]}``, see ``bot/payloads.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from insight.domain import OrderDetails, ProductInfo

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def money(amount: Decimal, currency: str) -> str:
    """``€799.00``, ``$1,199.00``; currencies without a symbol read ``799.00 NOK``."""
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {currency.upper()}"


def day(value: date | datetime) -> str:
    """``Sat 22 Nov``: short and unambiguous in every English locale."""
    return f"{value:%a} {value.day} {value:%b}"


def listing(names: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def items(pairs: Iterable[tuple[str, int]]) -> str:
    """``Aero 14 Laptop`` or ``2 x Quiet 2 Headphones``, joined into one phrase."""
    return listing([name if quantity == 1 else f"{quantity} x {name}" for name, quantity in pairs])


def order_items(order: OrderDetails) -> str:
    return items((line.product_name, line.quantity) for line in order.lines)


def product_list(products: Sequence[ProductInfo], currency: str) -> str:
    return listing([f"{p.name} ({money(p.price, currency)})" for p in products])


def order_card(order: OrderDetails, invoice_url: str | None = None) -> dict[str, Any]:
    """The widget's order card; ``invoice_url`` is the signed link to the order's invoice."""
    shipment = order.latest_shipment
    card: dict[str, Any] = {
        "number": order.number,
        "status": order.status,
        "placed_at": order.placed_at.isoformat(),
        "total": str(order.total),
        "currency": order.currency,
        "items": [{"name": line.product_name, "quantity": line.quantity} for line in order.lines],
    }
    if shipment is not None:
        card |= {
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "eta": shipment.eta.isoformat(),
            "events": [
                {"when": e.occurred_at.isoformat(), "where": e.location, "what": e.description}
                for e in shipment.events
            ],
        }
    if invoice_url is not None:
        card["invoice_url"] = invoice_url
    return {"order": card}


def product_cards(products: Sequence[ProductInfo], currency: str) -> dict[str, Any]:
    return {
        "products": [
            {"name": p.name, "price": str(p.price), "currency": currency, "sku": p.sku}
            for p in products
        ]
    }
