"""Guest verification (an order number and the email on its account), capped across
conversations.

A conversation allows three tries (the forms' ``verification_attempts`` slot), but a new
conversation costs nothing, so the shop database counts the tries of every conversation: past
``max_failures`` failed tries with one order number, or with one email address, within
``window`` (``guest_verification`` in ``knowledge/policies.yml``), further tries with it are
refused unchecked until the oldest of them is older than the window. Order numbers are short
and sequential, so the email is counted too: an attacker who knows a shopper's address would
otherwise walk the order numbers.

What a try learns does not depend on whether the order exists: failures are counted by the
number as typed, a refused try reads nothing else, and a try that is not refused runs the same
single query either way. The table holds no address in clear, only its SHA-256, enough to count
equal addresses together (whoever guesses an address can confirm it from a row, so rows are
deleted at the first try after they left the window).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from insight.conversations import utcnow
from insight.db.models import GuestVerificationAttempt
from insight.repositories.orders import OrderRepository, normalise_order_number
from insight.support.policies import VerificationLimit

MAX_KEY_CHARS = 64


@dataclass(frozen=True)
class GuestCheck:
    """The outcome of one try: the verified customer, or none; ``locked`` when the try was
    refused without being checked (too many failures with this order number or email)."""

    customer_id: int | None
    locked: bool = False


def email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class GuestVerification:
    """Checks a guest's order number and email, and counts the tries in the shop database.

    ``clock`` is real UTC time but in tests: under the demo shop's pinned clock
    (``SHOPSENSE_NOW``) a lock would never end.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        limit: VerificationLimit,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._orders = OrderRepository(sessions)
        self._limit = limit
        self._clock = clock

    def verify(self, order_number: str, email: str) -> GuestCheck:
        """Check the pair; a failed try counts against the order number and the email.

        The try is recorded before the counts are read, so that tries made at the same moment
        (in parallel conversations) count against each other: at most ``max_failures`` of them
        are ever checked per window. A try that verifies, or is refused, is not kept.
        """
        number = normalise_order_number(order_number)[:MAX_KEY_CHARS]
        digest = email_digest(email)
        now = self._clock()
        since = now - self._limit.window
        with self._sessions.begin() as session:
            session.execute(
                delete(GuestVerificationAttempt).where(GuestVerificationAttempt.at <= since)
            )
            attempt = GuestVerificationAttempt(order_number=number, email_digest=digest, at=now)
            session.add(attempt)
            session.flush()
            attempt_id = attempt.id
        if self._tries_since(since, number, digest) > self._limit.max_failures:
            self._forget(attempt_id)
            return GuestCheck(customer_id=None, locked=True)
        customer_id = self._orders.verify_guest(order_number, email)
        if customer_id is not None:
            self._forget(attempt_id)
        return GuestCheck(customer_id=customer_id)

    def _tries_since(self, since: datetime, number: str, digest: str) -> int:
        """The most tries, failed or under way, with this order number or with this email."""
        tries = GuestVerificationAttempt
        with self._sessions() as session:
            return max(
                session.scalar(select(func.count(tries.id)).where(tries.at > since, key)) or 0
                for key in (tries.order_number == number, tries.email_digest == digest)
            )

    def _forget(self, attempt_id: int) -> None:
        with self._sessions.begin() as session:
            session.execute(
                delete(GuestVerificationAttempt).where(GuestVerificationAttempt.id == attempt_id)
            )
