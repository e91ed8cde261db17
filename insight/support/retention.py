"""Goodwill codes for valuable customers at risk of leaving, capped by the shop's policy.

``decide_retention`` is the rule (``retention_offer`` in ``knowledge/policies.yml``): a pure
function of the policy, the customer's fused profile, when they last got such a code and the
time. ``RetentionOffers.offer`` issues the code in one transaction that first takes the
customer's row for writing (a no-op update: a row lock on PostgreSQL, the database's write lock
on SQLite), then re-reads the last offer and re-decides: two turns at the same moment cannot both
see "no offer yet", so at most one code per period is ever issued.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import Customer, Voucher
from insight.profiles.contracts import CustomerProfile, ProfileLookup
from insight.support.policies import RetentionPolicy

RETENTION = "retention"
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


class NoOffer(enum.StrEnum):
    DISABLED = "disabled"  # the shop turned retention offers off
    NO_PROFILE = "no_profile"  # no fused profile (guest, or never built)
    LOW_VALUE = "low_value"
    LOW_RISK = "low_risk"
    RECENTLY_OFFERED = "recently_offered"  # already had one within the period


@dataclass(frozen=True)
class OfferTerms:
    percent: Decimal
    max_value: Decimal
    valid_until: datetime


@dataclass(frozen=True)
class RetentionCode:
    code: str
    percent: Decimal
    max_value: Decimal
    valid_until: datetime


def lifetime_value(profile: CustomerProfile) -> Decimal:
    """What the customer has spent so far plus what they are expected to spend in a year."""
    return Decimal(str(round(profile.monetary + profile.predicted_value_12m, 2)))


def decide_retention(
    policy: RetentionPolicy,
    profile: CustomerProfile | None,
    last_offer_at: datetime | None,
    now: datetime,
) -> OfferTerms | NoOffer:
    if not policy.enabled:
        return NoOffer.DISABLED
    if profile is None or profile.churn_risk is None:
        return NoOffer.NO_PROFILE
    if lifetime_value(profile) < policy.min_lifetime_value:
        return NoOffer.LOW_VALUE
    if profile.churn_risk < policy.min_churn_risk:
        return NoOffer.LOW_RISK
    if last_offer_at is not None and now - last_offer_at < timedelta(days=policy.once_per_days):
        return NoOffer.RECENTLY_OFFERED
    return OfferTerms(policy.percent, policy.max_value, now + timedelta(days=policy.valid_days))


def new_code() -> str:
    return "THANKS-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


class RetentionOffers:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        policy: RetentionPolicy,
        profiles: ProfileLookup,
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._policy = policy
        self._profiles = profiles
        self._clock = clock

    def offer(self, customer_id: int) -> RetentionCode | NoOffer:
        """Issue the customer a retention code if the policy allows one now."""
        profile = self._profiles.get(customer_id)
        if isinstance(
            first := decide_retention(self._policy, profile, None, self._clock()), NoOffer
        ):
            return first
        with self._sessions.begin() as session:
            touched = session.execute(
                update(Customer).where(Customer.id == customer_id).values(name=Customer.name)
            )
            if not touched.rowcount:  # type: ignore[attr-defined]
                return NoOffer.NO_PROFILE
            last = session.scalar(
                select(func.max(Voucher.created_at)).where(
                    Voucher.customer_id == customer_id, Voucher.reason == RETENTION
                )
            )
            now = self._clock()
            decided = decide_retention(self._policy, profile, last, now)
            if isinstance(decided, NoOffer):
                return decided
            code = new_code()
            session.add(
                Voucher(
                    code=code,
                    percent_off=decided.percent,
                    max_discount=decided.max_value,
                    excluded_categories=[],
                    valid_from=now,
                    valid_until=decided.valid_until,
                    max_uses=1,
                    times_used=0,
                    customer_id=customer_id,
                    reason=RETENTION,
                    created_at=now,
                )
            )
            return RetentionCode(code, decided.percent, decided.max_value, decided.valid_until)


@dataclass(frozen=True)
class OfferRecord:
    """A retention code as the agent desk shows it next to the customer."""

    code: str
    issued_at: datetime
    valid_until: datetime | None
    used: bool


def retention_history(session: Session, customer_id: int) -> tuple[OfferRecord, ...]:
    """The customer's retention codes, newest first."""
    vouchers = session.scalars(
        select(Voucher)
        .where(Voucher.customer_id == customer_id, Voucher.reason == RETENTION)
        .order_by(Voucher.created_at.desc(), Voucher.id.desc())
    )
    return tuple(
        OfferRecord(v.code, v.created_at, v.valid_until, v.times_used > 0) for v in vouchers
    )


def retention_offers_between(session: Session, start: datetime, end: datetime) -> int:
    """How many retention codes were issued in ``[start, end)``."""
    return int(
        session.scalar(
            select(func.count(Voucher.id)).where(
                Voucher.reason == RETENTION, Voucher.created_at >= start, Voucher.created_at < end
            )
        )
        or 0
    )
