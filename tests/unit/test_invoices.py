"""Invoice links open one order of one customer until they expire; the invoice adds up."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from insight.domain import OrderDetails, OrderLineInfo
from insight.settings import PROJECT_ROOT
from insight.support.invoices import (
    LINK_PATH,
    InvoiceGrant,
    InvoiceLinks,
    invoice_for,
    render_html,
)
from insight.support.policies import Seller, invoice_seller

SECRET = "a-desk-session-secret-of-at-least-32-chars"
SELLER = Seller("Shop GmbH", "Street 1, Berlin", "DE123", Decimal(19))


def _order(status: str = "delivered", name: str = "Aero 14 Laptop") -> OrderDetails:
    return OrderDetails(
        number="SS-100001",
        customer_id=7,
        placed_at=datetime(2026, 11, 20, 9, 30),
        status=status,
        currency="EUR",
        total=Decimal("1003.85"),
        ship_city="Berlin",
        ship_country="DE",
        lines=(
            OrderLineInfo(1, 1, name, 1, Decimal("799.00")),
            OrderLineInfo(2, 2, "Quiet 2 Headphones", 2, Decimal("99.95")),
        ),
        shipments=(),
    )


def _token(links: InvoiceLinks, order: OrderDetails) -> str:
    url = links.url(order)
    assert url is not None and url.startswith(LINK_PATH)
    return url.removeprefix(LINK_PATH)


def test_a_link_opens_its_order_for_its_customer_until_it_expires() -> None:
    now = [1_000_000.0]
    links = InvoiceLinks(SECRET, lifetime_s=3600, clock=lambda: now[0])
    token = _token(links, _order())

    assert links.grant(token) == InvoiceGrant(7, "SS-100001")
    now[0] += 3600
    assert links.grant(token) is None


def test_an_altered_or_foreign_link_opens_nothing() -> None:
    links = InvoiceLinks(SECRET)
    token = _token(links, _order())
    header, claims, signature = token.split(".")

    assert links.grant(f"{header}.{claims}.{signature[:-2]}xx") is None
    assert links.grant("not-a-link") is None
    assert InvoiceLinks("another-secret-of-at-least-32-characters").grant(token) is None


def test_orders_not_yet_paid_or_cancelled_have_no_invoice() -> None:
    links = InvoiceLinks(SECRET)

    assert links.url(_order("placed")) is None
    assert links.url(_order("cancelled")) is None
    assert links.url(_order("shipped")) is not None


def test_the_invoice_shows_lines_shipping_and_the_vat_the_total_includes() -> None:
    invoice = invoice_for(_order(), "Ada Lovelace", SELLER)

    assert [line.amount for line in invoice.lines] == [Decimal("799.00"), Decimal("199.90")]
    assert invoice.shipping == Decimal("4.95")
    assert invoice.vat == Decimal("160.28")  # 1003.85 × 19 / 119
    page = render_html(invoice)
    assert "INV-SS-100001" in page and "€1,003.85" in page and "€160.28" in page


def test_product_names_cannot_inject_markup_into_the_invoice() -> None:
    page = render_html(invoice_for(_order(name="<script>alert(1)</script>"), "Ada", SELLER))

    assert "<script>" not in page and "&lt;script&gt;" in page


def test_the_shops_policies_name_the_seller() -> None:
    seller = invoice_seller(PROJECT_ROOT / "knowledge")

    assert seller.name and seller.vat_id and seller.vat_percent == Decimal(19)
