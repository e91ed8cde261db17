"""Invoices the widget links to: the document, and the signed link that opens it.

The action server knows who the shopper is (signed-in, or a guest who verified with an order
number and email); the gateway serves the page. A link carries the customer, the order and an
expiry, signed with a key derived from ``DESK_SESSION_SECRET`` (every process has it), so the
gateway can show the invoice to whoever holds the link without a session of its own, and to no
one once it has expired or for any other order. Prices are gross, as in every B2C shop in the
EU: the invoice shows the VAT they include.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html import escape

import jwt

from insight.domain import OrderDetails
from insight.repositories import CustomerRepository, OrderRepository
from insight.support.formatting import day, money
from insight.support.policies import Seller

# Orders that have been paid have an invoice; a placed order is not paid yet, a cancelled one
# was never charged or has been refunded in full.
INVOICED_STATUSES = frozenset({"paid", "packed", "shipped", "delivered", "returned"})
LINK_LIFETIME_S = 24 * 3600
LINK_PATH = "/invoices/"
_AUDIENCE = "shopsense-invoice"
_ALGORITHM = "HS256"
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class InvoiceGrant:
    """What a valid link lets its holder see: one order of one customer."""

    customer_id: int
    order_number: str


class InvoiceLinks:
    """Signs and checks invoice links; the clock is real time (the demo's pinned clock would
    make a link last for ever)."""

    def __init__(
        self,
        secret: str,
        lifetime_s: int = LINK_LIFETIME_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not secret:
            raise ValueError("an invoice link secret is required")
        # a key of its own: a leaked link key must not sign desk sessions, nor the reverse
        self._key = hmac.new(secret.encode(), b"shopsense invoice links", hashlib.sha256).digest()
        self._lifetime_s = lifetime_s
        self._clock = clock

    def url(self, order: OrderDetails) -> str | None:
        """The link to ``order``'s invoice, or None when the order has none (yet)."""
        if order.status not in INVOICED_STATUSES:
            return None
        now = int(self._clock())
        claims = {
            "sub": str(order.customer_id),
            "ord": order.number,
            "aud": _AUDIENCE,
            "exp": now + self._lifetime_s,
        }
        return LINK_PATH + jwt.encode(claims, self._key, algorithm=_ALGORITHM)

    def grant(self, token: str) -> InvoiceGrant | None:
        """The order a link opens; None when it is forged, altered or expired."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                options={"require": ["sub", "ord", "exp"], "verify_exp": False},
            )
        except jwt.PyJWTError:
            return None
        expiry, customer, number = claims["exp"], claims["sub"], claims["ord"]
        if not isinstance(expiry, int | float) or expiry <= self._clock():
            return None
        if not isinstance(customer, str) or not customer.isdigit() or not isinstance(number, str):
            return None
        return InvoiceGrant(int(customer), number)


@dataclass(frozen=True)
class InvoiceLine:
    name: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Invoice:
    number: str
    issued_on: str
    order_number: str
    billed_to: str
    delivered_to: str
    currency: str
    lines: tuple[InvoiceLine, ...]
    shipping: Decimal  # what the total holds beyond the lines
    total: Decimal
    vat: Decimal  # included in the total
    seller: Seller


def invoice_for(order: OrderDetails, customer_name: str, issued_by: Seller) -> Invoice:
    lines = tuple(
        InvoiceLine(o.product_name, o.quantity, o.unit_price, o.unit_price * o.quantity)
        for o in order.lines
    )
    goods = sum((line.amount for line in lines), Decimal(0))
    rate = issued_by.vat_percent
    return Invoice(
        number=f"INV-{order.number}",
        issued_on=day(order.placed_at) + f" {order.placed_at.year}",
        order_number=order.number,
        billed_to=customer_name,
        delivered_to=f"{order.ship_city}, {order.ship_country}",
        currency=order.currency,
        lines=lines,
        shipping=max(order.total - goods, Decimal(0)),
        total=order.total,
        vat=(order.total * rate / (100 + rate)).quantize(_CENT),
        seller=issued_by,
    )


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "color:#1d2330}table{width:100%;border-collapse:collapse}th,td{padding:.4rem;"
    "border-bottom:1px solid #d8dce5;text-align:left}td.n,th.n{text-align:right}"
    "tfoot td{border:0}header{display:flex;justify-content:space-between;gap:2rem}"
)


def render_html(invoice: Invoice) -> str:
    """The invoice as a self-contained HTML page (printable; every value escaped)."""

    def cash(amount: Decimal) -> str:
        return escape(money(amount, invoice.currency))

    rows = "".join(
        f"<tr><td>{escape(line.name)}</td><td class=n>{line.quantity}</td>"
        f"<td class=n>{cash(line.unit_price)}</td><td class=n>{cash(line.amount)}</td></tr>"
        for line in invoice.lines
    )
    shipping = (
        f"<tr><td colspan=3>Shipping</td><td class=n>{cash(invoice.shipping)}</td></tr>"
        if invoice.shipping
        else ""
    )
    s = invoice.seller
    vat_id = f"<br>VAT ID {escape(s.vat_id)}" if s.vat_id else ""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Invoice {escape(invoice.number)}</title><style>{_STYLE}</style></head><body>"
        f"<header><div><strong>{escape(s.name)}</strong><br>{escape(s.address)}{vat_id}</div>"
        f"<div><h1>Invoice {escape(invoice.number)}</h1>"
        f"<p data-testid=invoice-order>Order {escape(invoice.order_number)}<br>"
        f"Date {escape(invoice.issued_on)}</p></div></header>"
        f"<p>Billed to {escape(invoice.billed_to)}<br>"
        f"Delivered to {escape(invoice.delivered_to)}</p>"
        "<table><thead><tr><th>Item</th><th class=n>Quantity</th><th class=n>Unit price</th>"
        f"<th class=n>Amount</th></tr></thead><tbody>{rows}{shipping}</tbody><tfoot>"
        f"<tr><td colspan=3><strong>Total</strong></td>"
        f"<td class=n data-testid=invoice-total><strong>{cash(invoice.total)}</strong></td></tr>"
        f"<tr><td colspan=3>of which VAT {escape(str(s.vat_percent))}%</td>"
        f"<td class=n>{cash(invoice.vat)}</td></tr></tfoot></table></body></html>"
    )


class InvoiceDesk:
    """The invoice page a link opens: ownership is checked again against the shop database, so a
    link for an order that has since been cancelled, or moved to another account, opens nothing."""

    def __init__(
        self,
        orders: OrderRepository,
        customers: CustomerRepository,
        links: InvoiceLinks,
        issued_by: Seller,
    ) -> None:
        self._orders = orders
        self._customers = customers
        self._links = links
        self._seller = issued_by

    def page(self, token: str) -> str | None:
        grant = self._links.grant(token)
        if grant is None:
            return None
        order = self._orders.for_customer(grant.customer_id, grant.order_number)
        customer = self._customers.get(grant.customer_id)
        if order is None or customer is None or order.status not in INVOICED_STATUSES:
            return None
        return render_html(invoice_for(order, customer.name, self._seller))
