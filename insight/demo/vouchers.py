"""The demo shop's discount codes: one for each answer the assistant gives to "why doesn't my code
work", dated around :data:`~insight.demo.clock.DEMO_NOW`, two of them personal to the first
customers (the demo page's picker shows who they are)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from insight.demo.clock import DEMO_NOW


def demo_vouchers(first_customer: int, second_customer: int) -> list[dict[str, Any]]:
    """Rows of the ``vouchers`` table (ids from 1)."""

    def code(name: str, **terms: Any) -> dict[str, Any]:
        row: dict[str, Any] = {
            "code": name,
            "percent_off": None,
            "amount_off": None,
            "max_discount": None,
            "min_basket": None,
            "excluded_categories": [],
            "valid_from": DEMO_NOW - timedelta(days=90),
            "valid_until": None,
            "max_uses": None,
            "times_used": 0,
            "customer_id": None,
            "reason": "campaign",
            "created_at": DEMO_NOW - timedelta(days=90),
        }
        return row | terms

    rows = [
        code("SAVE10", percent_off=Decimal(10), min_basket=Decimal(50)),
        code("WELCOME15", percent_off=Decimal(15), min_basket=Decimal(100), reason="newsletter"),
        code("TV50", amount_off=Decimal(50), min_basket=Decimal(400), excluded_categories=["TVs"]),
        code("SUMMER20", percent_off=Decimal(20), valid_until=DEMO_NOW - timedelta(days=24)),
        code("XMAS25", percent_off=Decimal(25), valid_from=DEMO_NOW + timedelta(days=60)),
        code("FLASH30", percent_off=Decimal(30), max_uses=500, times_used=500),
        code("VIP20", percent_off=Decimal(20), customer_id=second_customer, max_uses=1),
        code(
            "BIRTHDAY10",
            amount_off=Decimal(10),
            customer_id=first_customer,
            max_uses=1,
            times_used=1,
        ),
    ]
    return [{"id": number, **row} for number, row in enumerate(rows, start=1)]
