"""The shop policy values the support operations enforce, from ``knowledge/policies.yml``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from insight.profiles.contracts import HIGH_CHURN_RISK

POLICIES_FILE = "policies.yml"
DEFAULT_RETURN_WINDOW_DAYS = 30
DEFAULT_CURRENCY = "EUR"


@dataclass(frozen=True)
class SupportHours:
    """When the shop's people answer, for a shopper who asks whether anyone is there."""

    hours: str  # as the shop writes it, e.g. "Monday to Friday 8:00–20:00 (CET)"
    email: str
    email_reply_hours: int


@dataclass(frozen=True)
class VerificationLimit:
    """How many guest verifications with one order number (or one email) may fail, in any
    conversations, within ``window`` before further tries with it are refused."""

    max_failures: int = 5
    window: timedelta = timedelta(hours=1)


def _policies(knowledge_dir: Path) -> dict[str, Any]:
    path = knowledge_dir / POLICIES_FILE
    if not path.is_file():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return raw if isinstance(raw, dict) else {}


def return_window_days(knowledge_dir: Path) -> int:
    """Days after delivery within which an item may be returned.

    Read from ``return_window_days`` (or ``returns: {window_days: …}``); 30 when absent.
    """
    policies = _policies(knowledge_dir)
    returns = policies.get("returns")
    nested = returns.get("window_days") if isinstance(returns, dict) else None
    value = policies.get("return_window_days", nested)
    return int(value) if value is not None else DEFAULT_RETURN_WINDOW_DAYS


def shop_currency(knowledge_dir: Path) -> str:
    """The currency catalogue prices are shown in (``currency``; EUR when absent)."""
    return str(_policies(knowledge_dir).get("currency") or DEFAULT_CURRENCY)


def support_hours(knowledge_dir: Path) -> SupportHours | None:
    """The ``support`` section (``hours``, ``email``, ``email_reply_hours``); None when absent."""
    support = _policies(knowledge_dir).get("support")
    if not isinstance(support, dict) or not support.get("hours") or not support.get("email"):
        return None
    return SupportHours(
        hours=str(support["hours"]),
        email=str(support["email"]),
        email_reply_hours=int(support.get("email_reply_hours") or 24),
    )


def verification_limit(knowledge_dir: Path) -> VerificationLimit:
    """The ``guest_verification`` section (``max_failures``, ``window_minutes``); 5 failures an
    hour when absent."""
    section = _policies(knowledge_dir).get("guest_verification")
    default = VerificationLimit()
    if not isinstance(section, dict):
        return default
    minutes = section.get("window_minutes")
    return VerificationLimit(
        max_failures=int(section.get("max_failures", default.max_failures)),
        window=timedelta(minutes=int(minutes)) if minutes is not None else default.window,
    )


@dataclass(frozen=True)
class RetentionPolicy:
    """The goodwill code the assistant may give a valuable customer at risk of leaving.

    ``percent`` off the next order, at most ``max_value`` off, valid ``valid_days``; only for a
    profile worth at least ``min_lifetime_value`` (spent so far plus expected in the next twelve
    months) with a churn risk of at least ``min_churn_risk``; once per ``once_per_days``.
    """

    enabled: bool = False
    percent: Decimal = Decimal(10)
    max_value: Decimal = Decimal(25)
    min_lifetime_value: Decimal = Decimal(500)
    min_churn_risk: float = HIGH_CHURN_RISK
    once_per_days: int = 180
    valid_days: int = 30


def retention_policy(knowledge_dir: Path) -> RetentionPolicy:
    """The ``retention_offer`` section; off when absent."""
    section = _policies(knowledge_dir).get("retention_offer")
    default = RetentionPolicy()
    if not isinstance(section, dict):
        return default
    return RetentionPolicy(
        enabled=bool(section.get("enabled", True)),
        percent=Decimal(str(section.get("percent", default.percent))),
        max_value=Decimal(str(section.get("max_value", default.max_value))),
        min_lifetime_value=Decimal(
            str(section.get("min_lifetime_value", default.min_lifetime_value))
        ),
        min_churn_risk=float(section.get("min_churn_risk", default.min_churn_risk)),
        once_per_days=int(section.get("once_per_days", default.once_per_days)),
        valid_days=int(section.get("valid_days", default.valid_days)),
    )


@dataclass(frozen=True)
class Seller:
    """Who issues the invoices (``invoice`` in the policies file)."""

    name: str
    address: str
    vat_id: str
    vat_percent: Decimal


def invoice_seller(knowledge_dir: Path) -> Seller:
    """The ``invoice`` section; the shop's name when it names no seller."""
    policies = _policies(knowledge_dir)
    section = policies.get("invoice")
    section = section if isinstance(section, dict) else {}
    shop = str(policies.get("shop_name") or "")
    return Seller(
        name=str(section.get("seller") or shop),
        address=str(section.get("address") or ""),
        vat_id=str(section.get("vat_id") or ""),
        vat_percent=Decimal(str(section.get("vat_percent", 0))),
    )


@dataclass(frozen=True)
class ExchangePolicy:
    """The ``exchanges`` section: window, categories, defective replacement, who pays."""

    window_days: int = 30
    categories: frozenset[str] = frozenset()
    excluded_categories: frozenset[str] = frozenset()
    defective_replacement: bool = True
    difference_paid_by: str = "customer"

    def allows_category(self, category: str) -> bool:
        """Case-insensitive: not excluded, and listed when a list of categories is given."""
        key = category.casefold()
        if key in self.excluded_categories:
            return False
        return not self.categories or key in self.categories


def exchange_policy(knowledge_dir: Path) -> ExchangePolicy:
    """The ``exchanges`` section; defaults when absent."""
    section = _policies(knowledge_dir).get("exchanges")
    default = ExchangePolicy()
    if not isinstance(section, dict):
        return default
    categories = section.get("categories") or []
    excluded = section.get("excluded_categories") or []
    paid_by = str(section.get("difference_paid_by", default.difference_paid_by))
    return ExchangePolicy(
        window_days=int(section.get("window_days", default.window_days)),
        categories=frozenset(str(c).casefold() for c in categories),
        excluded_categories=frozenset(str(c).casefold() for c in excluded),
        defective_replacement=bool(section.get("defective_replacement", True)),
        difference_paid_by=paid_by if paid_by in ("customer", "shop") else "customer",
    )


@dataclass(frozen=True)
class ClaimPolicy:
    """How delivery-problem claims are handled (``claims`` in the policies file).

    A not-received claim is accepted ``not_received_wait_days`` after the carrier's "delivered";
    damage within ``damage_report_days`` of delivery; kinds in ``always_to_person`` and orders worth
    more than ``person_above_value`` go to a person.
    """

    not_received_wait_days: int = 2
    damage_report_days: int = 7
    always_to_person: frozenset[str] = frozenset({"not_received", "wrong_address"})
    person_above_value: Decimal = Decimal(200)


def claim_policy(knowledge_dir: Path) -> ClaimPolicy:
    """The ``claims`` section; the defaults above when absent."""
    section = _policies(knowledge_dir).get("claims")
    default = ClaimPolicy()
    if not isinstance(section, dict):
        return default
    kinds = section.get("always_to_person")
    return ClaimPolicy(
        not_received_wait_days=int(
            section.get("not_received_wait_days", default.not_received_wait_days)
        ),
        damage_report_days=int(section.get("damage_report_days", default.damage_report_days)),
        always_to_person=(
            frozenset(str(k) for k in kinds)
            if isinstance(kinds, list)
            else default.always_to_person
        ),
        person_above_value=Decimal(
            str(section.get("person_above_value", default.person_above_value))
        ),
    )
