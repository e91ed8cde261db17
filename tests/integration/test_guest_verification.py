"""Guest verification capped across conversations, on SQLite and PostgreSQL: failed tries with one
order number (or one email) lock it for everyone for a while, and a lock reads and costs the
same whether the order exists or not."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from insight.support.policies import VerificationLimit
from insight.support.verification import GuestCheck, GuestVerification
from tests.factories import ShopFixture

LIMIT = VerificationLimit(max_failures=3, window=timedelta(hours=1))
LOCKED = GuestCheck(customer_id=None, locked=True)
FAILED = GuestCheck(customer_id=None)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 16, 10, 0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def guests(sessions: sessionmaker[Session], shop: ShopFixture, clock: Clock) -> GuestVerification:
    return GuestVerification(sessions, LIMIT, clock)


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements the database receives while the test runs."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


def test_failed_tries_lock_the_order_number_for_every_conversation_until_they_age_out(
    guests: GuestVerification, shop: ShopFixture, clock: Clock
) -> None:
    tries = [guests.verify(shop.ben_order, f"guess-{n}@example.com") for n in range(3)]
    clock.now += timedelta(minutes=30)

    assert tries == [FAILED] * 3
    assert guests.verify(shop.ben_order, "ben@example.com") == LOCKED  # the right email, too
    assert guests.verify(shop.ada_shipped_order, "ada@example.com").customer_id == shop.ada_id
    clock.now += timedelta(minutes=31)  # the failures are older than the window now
    assert guests.verify(shop.ben_order, "ben@example.com") == GuestCheck(shop.ben_id)


def test_one_email_walking_the_order_numbers_is_locked_too(
    guests: GuestVerification, shop: ShopFixture
) -> None:
    """Order numbers are sequential: knowing a shopper's email, one would try them in turn."""
    tries = [guests.verify(f"SS-20000{n}", "Ben@Example.com") for n in range(3)]

    assert tries == [FAILED] * 3
    assert guests.verify(shop.ben_order, " ben@example.com") == LOCKED


def test_a_lock_reads_and_costs_the_same_whether_the_order_exists(
    guests: GuestVerification, shop: ShopFixture, statements: list[str]
) -> None:
    def tries(number: str, emails: str) -> tuple[list[GuestCheck], list[str]]:
        statements.clear()
        checks = [guests.verify(number, f"{emails}-{n}@example.com") for n in range(5)]
        return checks, list(statements)

    real = tries(shop.ben_order, "guess")
    missing = tries("SS-999999", "other")

    assert real == missing
    assert real[0] == [FAILED, FAILED, FAILED, LOCKED, LOCKED]


def test_verified_tries_do_not_count_against_the_shopper(
    guests: GuestVerification, shop: ShopFixture
) -> None:
    checks = {
        guests.verify(shop.ben_order, "ben@example.com") for _ in range(LIMIT.max_failures + 2)
    }

    assert checks == {GuestCheck(shop.ben_id)}


def test_tries_at_the_same_moment_in_many_conversations_get_no_more_checks(
    guests: GuestVerification, shop: ShopFixture
) -> None:
    """Each try is recorded before the counts are read, so parallel conversations cannot all
    slip under the limit at once."""
    start = threading.Barrier(8)
    checks: list[GuestCheck] = []

    def attempt(n: int) -> None:
        start.wait()
        checks.append(guests.verify(shop.ben_order, f"parallel-{n}@example.com"))

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(checks) == 8
    assert sum(not check.locked for check in checks) <= LIMIT.max_failures
