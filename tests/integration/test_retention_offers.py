"""Retention codes over the real tables, on SQLite and PostgreSQL: issued at most once per period,
also when two turns ask at the same moment, only to the customers the policy covers; the desk's
card and the support figures show them."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.desk_views import card_view
from insight.customer_cards import CustomerCards
from insight.db.models import Voucher
from insight.profiles.contracts import CustomerProfile
from insight.profiles.repository import ProfileRepository
from insight.report.support import load_support_stats, stats_json
from insight.support.retention import NoOffer, RetentionCode, RetentionOffers
from insight.support.vouchers import Verdict, VoucherDesk
from tests.factories import (
    RETENTION_POLICY,
    TODAY,
    SupportShopFixture,
    build_support_shop,
    profile_row,
)


@pytest.fixture
def support_shop(sessions: sessionmaker[Session]) -> SupportShopFixture:
    return build_support_shop(sessions)


class _TogetherProfiles:
    """Profiles that make ``parties`` callers wait for each other: the turns race into issuing."""

    def __init__(self, sessions: sessionmaker[Session], parties: int) -> None:
        self._real = ProfileRepository(sessions)
        self._barrier = threading.Barrier(parties, timeout=10)

    def get(self, customer_id: int) -> CustomerProfile | None:
        self._barrier.wait()
        return self._real.get(customer_id)


def _at_risk(sessions: sessionmaker[Session], customer_id: int) -> None:
    with sessions.begin() as session:
        session.add(profile_row(customer_id, churn_risk=0.9, spent=1500.0))


def _retention_codes(sessions: sessionmaker[Session], customer_id: int) -> list[Voucher]:
    with sessions() as session:
        return list(
            session.scalars(
                select(Voucher).where(
                    Voucher.customer_id == customer_id, Voucher.reason == "retention"
                )
            )
        )


def test_a_retention_code_is_recorded_for_the_customer_and_not_given_twice(
    sessions: sessionmaker[Session], support_shop: SupportShopFixture
) -> None:
    ada = support_shop.small.ada_id
    _at_risk(sessions, ada)
    offers = RetentionOffers(sessions, RETENTION_POLICY, ProfileRepository(sessions), lambda: TODAY)

    issued = offers.offer(ada)
    assert isinstance(issued, RetentionCode)
    assert offers.offer(ada) == NoOffer.RECENTLY_OFFERED
    later = RetentionOffers(
        sessions, RETENTION_POLICY, ProfileRepository(sessions), lambda: TODAY + timedelta(days=181)
    )
    assert isinstance(later.offer(ada), RetentionCode)

    (first, _) = sorted(_retention_codes(sessions, ada), key=lambda v: v.created_at)
    assert (first.code, first.percent_off, first.max_discount) == (
        issued.code,
        Decimal(10),
        Decimal(30),
    )
    assert first.valid_until == TODAY + timedelta(days=30) and first.max_uses == 1
    desk = VoucherDesk(sessions, clock=lambda: TODAY)
    assert desk.check(issued.code, ada, None).verdict == Verdict.VALID
    assert desk.check(issued.code, support_shop.small.ben_id, None).verdict == Verdict.NOT_YOURS


def test_customers_the_policy_does_not_cover_get_nothing(
    sessions: sessionmaker[Session], support_shop: SupportShopFixture
) -> None:
    ben = support_shop.small.ben_id
    offers = RetentionOffers(sessions, RETENTION_POLICY, ProfileRepository(sessions), lambda: TODAY)
    assert offers.offer(ben) == NoOffer.NO_PROFILE
    with sessions.begin() as session:
        session.add(profile_row(ben, churn_risk=0.9, spent=120.0))
    assert offers.offer(ben) == NoOffer.LOW_VALUE
    assert _retention_codes(sessions, ben) == []


def test_two_turns_at_the_same_moment_issue_one_code(
    sessions: sessionmaker[Session], support_shop: SupportShopFixture
) -> None:
    cleo = support_shop.cleo_id
    _at_risk(sessions, cleo)
    offers = RetentionOffers(
        sessions, RETENTION_POLICY, _TogetherProfiles(sessions, 4), lambda: TODAY
    )
    outcomes: list[RetentionCode | NoOffer] = []
    threads = [
        threading.Thread(target=lambda: outcomes.append(offers.offer(cleo))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(type(o).__name__ for o in outcomes) == ["NoOffer"] * 3 + ["RetentionCode"]
    assert len(_retention_codes(sessions, cleo)) == 1


def test_the_desk_card_and_the_support_figures_show_retention_codes(
    sessions: sessionmaker[Session], support_shop: SupportShopFixture
) -> None:
    ada = support_shop.small.ada_id
    _at_risk(sessions, ada)
    issued = RetentionOffers(
        sessions, RETENTION_POLICY, ProfileRepository(sessions), lambda: TODAY
    ).offer(ada)
    assert isinstance(issued, RetentionCode)

    card = CustomerCards(sessions).card(ada)
    assert card is not None
    assert [(o.code, o.used) for o in card.retention_offers] == [(issued.code, False)]
    shown = card_view(card)
    assert shown is not None
    assert shown["retention_offers"] == [
        {"code": issued.code, "issued_on": "2026-11-20", "valid_until": "2026-12-20", "used": False}
    ]
    day = TODAY.date()
    stats = load_support_stats(sessions, day, day + timedelta(days=1), unsure=frozenset())
    assert stats.retention_offers == 1
    assert stats_json(stats)["retention_offers"] == 1
    before = load_support_stats(sessions, date(2026, 1, 1), day, unsure=frozenset())
    assert before.retention_offers == 0
    with sessions() as session:
        assert session.scalar(select(func.count(Voucher.id))) == 8 + 1  # the seeded codes + one
