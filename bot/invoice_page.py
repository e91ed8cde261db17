"""The invoice page a shopper opens from an order card in the widget (``/invoices/<link>``).

The link itself is the permission (``insight.support.invoices``): it names one order of one
customer and expires. The page is never cached, indexed or sent on as a referrer, and it loads
nothing from anywhere.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.guards import TOO_FAST, RateLimits, client_ip
from insight.support.invoices import LINK_PATH, InvoiceDesk

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}
NO_INVOICE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Invoice</title></head><body>"
    "<p>This invoice link is not valid or has expired. Ask the assistant for your orders again "
    "for a new one.</p></body></html>"
)


def invoice_router(invoices: InvoiceDesk, limits: RateLimits) -> APIRouter:
    router = APIRouter(tags=["shopper"])

    @router.get(
        LINK_PATH + "{link}",
        response_class=HTMLResponse,
        responses={404: {"description": "the link is forged, altered or expired"}},
    )
    async def invoice(link: str, request: Request) -> HTMLResponse:
        """One order's invoice, printable, for whoever holds the link the assistant gave."""
        if not limits.per_ip.allow(client_ip(request.scope)):
            return HTMLResponse(TOO_FAST, status_code=429, headers=PAGE_HEADERS)
        page = await asyncio.to_thread(invoices.page, link)
        if page is None:
            return HTMLResponse(NO_INVOICE, status_code=404, headers=PAGE_HEADERS)
        return HTMLResponse(page, headers=PAGE_HEADERS)

    return router
