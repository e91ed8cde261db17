"""Questions about one particular order are not FAQ questions.

"Where is my order SS-100234?" or "cancel order 5512" sound like the FAQ entries on tracking and
cancelling, and a sentence encoder scores them as such. A policy answer would be the wrong reply:
the dialogue must look the order up instead. So a query that names an order, parcel, invoice or
tracking number is never answered from the FAQ, whatever its similarity score.
"""

from __future__ import annotations

import re

_REFERENCE = re.compile(
    r"""
    \bSS-?\s?\d{3,}\b                                   # the shop's order numbers (SS-100234)
    | \#\s?\d{3,}\b                                     # "#5512"
    | \b(?:order|parcel|package|shipment|invoice|ticket|tracking|rma)  # "order 123", "parcel 4411"
      \s*(?:no\.?|nr\.?|number|num|id)?\s*[:#]?\s*\d{3,}\b
      (?!\s*(?:€|eur|euros?|nok|chf|gbp|£|\$|usd|kr|%|pcs|pieces|units))  # not "invoice 500 euros"
    | \b[A-Z]{2}\d{9}[A-Z]{2}\b                         # postal tracking numbers (JJ123456789DE)
    | \b\d{7,}\b                                        # long bare numbers: order or tracking ids
    """,
    re.IGNORECASE | re.VERBOSE,
)


def mentions_order_reference(text: str) -> bool:
    """True when ``text`` names a specific order, parcel, invoice or tracking number."""
    return _REFERENCE.search(text) is not None
