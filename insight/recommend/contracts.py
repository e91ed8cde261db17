"""What crosses the recommendation boundary: a suggested product and why it was suggested.

A ``Reason`` names its kind and, where the kind refers to something, the product or category
it refers to (``anchor``). The sentence the shopper reads is written in ``domain.yml`` (one
response per kind); nothing here is shopper-facing text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from insight.domain import ProductInfo


class ReasonKind(enum.StrEnum):
    BOUGHT = "bought"  # related to a product the customer bought (anchor: that product)
    VIEWED = "viewed"  # related to a product the customer looked at (anchor: that product)
    SIMILAR = "similar"  # a look-alike of the product asked about (anchor: that product)
    GOES_WITH = "goes_with"  # a complement of an order's product (anchor: that product)
    FAVOURITE = "favourite"  # from one of the customer's favourite categories (anchor: it)
    SEGMENT = "segment"  # popular with the customer's segment
    POPULAR = "popular"  # popular in the shop (unknown customers, nothing more specific)


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind
    anchor: str | None = None


@dataclass(frozen=True)
class Suggestion:
    product: ProductInfo
    reason: Reason
