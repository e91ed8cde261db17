"""Checking the parts of a delivery address a shopper types into the chat."""

from __future__ import annotations

import re
from dataclasses import dataclass

from insight.support.identity import find_email, find_order_number

_STREET = re.compile(r"^(?=.*[^\W\d_])(?=.*\d)[\w .,'/#-]{4,120}$")
_CITY = re.compile(r"^[^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_]+)*\.?$")
_POSTCODE = re.compile(r"^(?=.*\d)[A-Z0-9][A-Z0-9 -]{1,8}[A-Z0-9]$")


@dataclass(frozen=True)
class PostalAddress:
    street: str
    city: str
    postcode: str


def _squash(text: str) -> str:
    return " ".join(text.split())


def clean_street(text: str) -> str | None:
    """A street line with a house number ("12 Baker Street", "Hauptstr. 5"), else ``None``.

    An order number or an email is never a street: a shopper who types one when asked for the
    street is answering an earlier question, and storing it would send the parcel nowhere."""
    street = _squash(text).strip(" ,.")
    if find_order_number(street) or find_email(street):
        return None
    return street if _STREET.match(street) else None


def clean_city(text: str) -> str | None:
    """A town name of letters, spaces, dots, hyphens and apostrophes, else ``None``."""
    city = _squash(text).strip(" ,")
    if not (2 <= len(city) <= 60 and _CITY.match(city)):
        return None
    return city if any(ch.isupper() for ch in city) else city.title()


def clean_postcode(text: str) -> str | None:
    """A postcode of 3–10 letters and digits with at least one digit ("0150", "SW1A 1AA")."""
    postcode = _squash(text).upper().strip(" ,.")
    return postcode if _POSTCODE.match(postcode) else None


def clean_address(street: str, city: str, postcode: str) -> PostalAddress | None:
    """All three parts checked, or ``None`` when any of them is not usable."""
    parts = clean_street(street), clean_city(city), clean_postcode(postcode)
    if parts[0] is None or parts[1] is None or parts[2] is None:
        return None
    return PostalAddress(parts[0], parts[1], parts[2])
