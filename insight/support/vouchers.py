"""Why a voucher code does not apply to a shopper's basket, or what it gives when it does.

``judge_voucher`` is the shop's rule, a pure function of the code's terms, who asks, their basket
and the time. ``VoucherDesk`` reads the terms from the ``vouchers`` table and the basket from the
shopper's pending order (an order placed but not yet paid, where a code still applies) unless
they said what their basket comes to. A personal code of another customer reads as "not valid
for your account" and nothing more: not whose it is, not its terms.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import Order, OrderStatus, Voucher

MAX_CODE_CHARS = 32
# Words that follow "code"/"voucher" in a sentence but are never the code itself.
_NOT_CODES = frozenset(
    (  # noqa: SIM905 (a word list reads better as words)
        "a an and any at but by code codes coupon discount does doesnt dont for from give "
        "gives here i in is isnt it its keeps me my not of on or promo says the this to "
        "voucher vouchers wont work works working wasnt was will with you your cant can apply "
        "applies didnt still again anymore just now number field failed fails invalid "
        "rejected"
    ).split()
)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,31}")
_CODE_WORD = re.compile(
    r"\b(?:code|voucher|coupon|promo)\W+(?:code\W+)?([A-Za-z0-9][\w'’-]{2,31})", re.I
)
_MONEY_MARKED = re.compile(
    r"(?:€|eur\b|euros?\b)\s*(\d{1,5}(?:[.,]\d{1,2})?)|(\d{1,5}(?:[.,]\d{1,2})?)\s*(?:€|eur\b|euros?\b|bucks\b)",
    re.I,
)
_MONEY_BASKET = re.compile(
    r"\b(?:basket|cart|total|spend|spending)\b[^\d]{0,24}?(?<![-#\d])(\d{1,5}(?:[.,]\d{1,2})?)\b",
    re.I,
)


class Verdict(enum.StrEnum):
    UNKNOWN = "unknown"  # no such code
    NOT_YOURS = "not_yours"  # a personal code of another customer (or asked as a guest)
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    USED = "used"  # a personal code already redeemed
    LIMIT_REACHED = "limit_reached"  # a shared code redeemed as often as it may be
    BELOW_MINIMUM = "below_minimum"
    EXCLUDED_CATEGORY = "excluded_category"
    VALID = "valid"


@dataclass(frozen=True)
class VoucherTerms:
    code: str
    percent_off: Decimal | None
    amount_off: Decimal | None
    max_discount: Decimal | None
    min_basket: Decimal | None
    excluded_categories: tuple[str, ...]
    valid_from: datetime | None
    valid_until: datetime | None
    max_uses: int | None
    times_used: int
    customer_id: int | None  # personal to this customer; None: anyone may use it


@dataclass(frozen=True)
class Basket:
    """What the code would apply to: a total and the categories in it (either may be unknown)."""

    total: Decimal | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class VoucherCheck:
    code: str
    verdict: Verdict
    terms: VoucherTerms | None = None  # None unless the shopper may know them
    category: str | None = None  # the excluded category found in the basket
    basket: Basket = Basket()


def judge_voucher(
    code: str, terms: VoucherTerms | None, customer_id: int | None, basket: Basket, now: datetime
) -> VoucherCheck:
    """Why ``code`` does not apply for this shopper and basket at ``now``, or that it does.

    Checked in the order a shopper can act on: whether the code exists and is theirs first (a
    stranger's code says nothing else), then its dates, its uses, and last the basket. A basket
    total or category that is not known is not held against the code: the valid answer states
    the conditions instead.
    """
    if terms is None:
        return VoucherCheck(code, Verdict.UNKNOWN, basket=basket)
    if terms.customer_id is not None and terms.customer_id != customer_id:
        return VoucherCheck(terms.code, Verdict.NOT_YOURS, basket=basket)

    def verdict(value: Verdict, category: str | None = None) -> VoucherCheck:
        return VoucherCheck(terms.code, value, terms, category, basket)

    if terms.valid_from is not None and now < terms.valid_from:
        return verdict(Verdict.NOT_YET_VALID)
    if terms.valid_until is not None and now > terms.valid_until:
        return verdict(Verdict.EXPIRED)
    if terms.max_uses is not None and terms.times_used >= terms.max_uses:
        return verdict(Verdict.USED if terms.customer_id is not None else Verdict.LIMIT_REACHED)
    if (
        terms.min_basket is not None
        and basket.total is not None
        and basket.total < terms.min_basket
    ):
        return verdict(Verdict.BELOW_MINIMUM)
    excluded = {category.casefold(): category for category in terms.excluded_categories}
    for category in basket.categories:
        if category.casefold() in excluded:
            return verdict(Verdict.EXCLUDED_CATEGORY, excluded[category.casefold()])
    return verdict(Verdict.VALID)


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()[:MAX_CODE_CHARS]


def find_voucher_code(text: str) -> str | None:
    """The code in what the shopper wrote: "SAVE10", "my code welcome15 won't work", "FREESHIP".

    A word mixing letters and digits first, then an all-capitals word, then the word after
    "code"/"voucher"/"coupon"; a message of one word is that word.
    """
    tokens = [t for t in _TOKEN.findall(text) if t.lower().replace("'", "") not in _NOT_CODES]
    words = text.split()
    if len(words) == 1 and _TOKEN.fullmatch(words[0].strip(".,!?\"'")):
        return normalise_code(words[0].strip(".,!?\"'"))
    mixed = [t for t in tokens if re.search(r"[A-Za-z]", t) and re.search(r"\d", t)]
    mixed = [t for t in mixed if not re.fullmatch(r"(?i)ss-?\d+|\d+(?:eur|euros?)", t)]
    if mixed:
        return normalise_code(mixed[0])
    capitals = [t for t in tokens if t.isupper() and len(t) >= 4 and t.isalpha()]
    if capitals and not text.isupper():
        return normalise_code(capitals[0])
    for match in _CODE_WORD.finditer(text):
        word = match.group(1)
        if not re.search("['’]", word) and word.lower() not in _NOT_CODES:
            return normalise_code(word)
    return None


def find_basket_total(text: str) -> Decimal | None:
    """The basket total the shopper gave: "my basket is €42.50", "40 euros", "cart total 30"."""
    match = _MONEY_MARKED.search(text) or _MONEY_BASKET.search(text)
    if match is None:
        return None
    digits = next(group for group in match.groups() if group)
    try:
        return Decimal(digits.replace(",", "."))
    except InvalidOperation:
        return None


def _terms(voucher: Voucher) -> VoucherTerms:
    return VoucherTerms(
        code=voucher.code,
        percent_off=voucher.percent_off,
        amount_off=voucher.amount_off,
        max_discount=voucher.max_discount,
        min_basket=voucher.min_basket,
        excluded_categories=tuple(voucher.excluded_categories or ()),
        valid_from=voucher.valid_from,
        valid_until=voucher.valid_until,
        max_uses=voucher.max_uses,
        times_used=voucher.times_used,
        customer_id=voucher.customer_id,
    )


class VoucherDesk:
    """Answers "why doesn't my code work" from the shop database, for a verified shopper or a
    guest (``customer_id`` None: personal codes are then never theirs)."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._clock = clock

    def check(self, code: str, customer_id: int | None, said_total: Decimal | None) -> VoucherCheck:
        wanted = normalise_code(code)
        with self._sessions() as session:
            voucher = session.scalar(select(Voucher).where(Voucher.code == wanted))
            terms = _terms(voucher) if voucher is not None else None
            basket = self._basket(session, customer_id, said_total)
        return judge_voucher(wanted, terms, customer_id, basket, self._clock())

    def _basket(self, session: Session, customer_id: int | None, said: Decimal | None) -> Basket:
        """The total the shopper said, else their own pending order's total and categories."""
        if customer_id is None or said is not None:
            return Basket(total=said)
        pending = session.scalar(
            select(Order)
            .where(Order.customer_id == customer_id, Order.status == OrderStatus.PLACED)
            .order_by(Order.placed_at.desc(), Order.id.desc())
            .limit(1)
        )
        if pending is None:
            return Basket(total=said)
        categories = tuple(dict.fromkeys(line.product.category for line in pending.lines))
        return Basket(total=pending.total, categories=categories)
