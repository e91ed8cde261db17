"""Recognising the two things a guest verifies with: an order number and an email address."""

from __future__ import annotations

import re

_PREFIXED = re.compile(r"\bss[\s#-]*(\d{5,8})\b", re.IGNORECASE)
_BARE = re.compile(r"(?<![\d.,])#?(\d{6,8})\b")
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
MAX_VERIFICATION_ATTEMPTS = 3


def find_order_number(text: str) -> str | None:
    """``SS-100001`` from "ss 100001", "SS-100001", "#100001" or a bare "100001"."""
    match = _PREFIXED.search(text) or _BARE.search(text)
    return f"SS-{match.group(1)}" if match else None


def find_email(text: str) -> str | None:
    match = _EMAIL.search(text)
    return match.group(0).lower() if match else None
