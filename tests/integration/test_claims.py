"""Delivery-problem claims over the real tables, on SQLite and PostgreSQL: scoped to the
customer, the carrier's events decide, one open claim per order and kind."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import Claim, ClaimKind, ClaimStatus
from insight.support.claims import ClaimDesk, ClaimVerdict
from insight.support.policies import ClaimPolicy
from tests.factories import TODAY, SupportShopFixture, build_support_shop

POLICY = ClaimPolicy(
    not_received_wait_days=2,
    damage_report_days=7,
    always_to_person=frozenset({"not_received", "wrong_address"}),
    person_above_value=Decimal(200),
)


@pytest.fixture
def shop(sessions: sessionmaker[Session]) -> SupportShopFixture:
    return build_support_shop(sessions)


def _desk(sessions: sessionmaker[Session], now: datetime = TODAY) -> ClaimDesk:
    return ClaimDesk(sessions, POLICY, clock=lambda: now)


def _claims(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Claim)) or 0)


def test_another_customers_order_is_not_found_and_nothing_is_recorded(
    sessions: sessionmaker[Session], shop: SupportShopFixture
) -> None:
    outcome = _desk(sessions).report(
        shop.small.ada_id, shop.cleo_recent_delivered, ClaimKind.NOT_RECEIVED
    )
    assert outcome.verdict == ClaimVerdict.NOT_FOUND
    assert outcome.facts is None
    assert _claims(sessions) == 0


def test_a_parcel_still_in_transit_says_where_it_is_instead_of_a_claim(
    sessions: sessionmaker[Session], shop: SupportShopFixture
) -> None:
    outcome = _desk(sessions).report(
        shop.small.ada_id, shop.small.ada_shipped_order, ClaimKind.NOT_RECEIVED
    )
    assert outcome.verdict == ClaimVerdict.IN_TRANSIT
    assert outcome.location == "Hamburg"
    assert outcome.facts is not None and outcome.facts.eta is not None
    assert _claims(sessions) == 0


def test_delivered_yesterday_asks_to_wait_until_the_policy_days_have_passed(
    sessions: sessionmaker[Session], shop: SupportShopFixture
) -> None:
    day_after = TODAY - timedelta(days=9)  # Cleo's parcel was delivered 10 days before TODAY
    outcome = _desk(sessions, day_after).report(
        shop.cleo_id, shop.cleo_recent_delivered, ClaimKind.NOT_RECEIVED
    )
    assert outcome.verdict == ClaimVerdict.TOO_EARLY
    assert outcome.wait_until == (TODAY - timedelta(days=8)).date()
    assert _claims(sessions) == 0


def test_not_received_opens_an_escalated_claim_with_the_carrier_facts_once(
    sessions: sessionmaker[Session], shop: SupportShopFixture
) -> None:
    desk = _desk(sessions)
    first = desk.report(shop.cleo_id, shop.cleo_recent_delivered, ClaimKind.NOT_RECEIVED)
    assert first.verdict == ClaimVerdict.OPENED and first.to_person
    assert "DPD" in first.handoff_summary and "Delivered" in first.handoff_summary
    again = desk.report(shop.cleo_id, shop.cleo_recent_delivered, ClaimKind.NOT_RECEIVED)
    assert (again.verdict, again.claim_id) == (ClaimVerdict.EXISTING, first.claim_id)
    with sessions() as session:
        claim = session.get(Claim, first.claim_id)
        assert claim is not None
        assert claim.status == ClaimStatus.ESCALATED
        assert "Oslo: Delivered" in claim.carrier_facts
    assert _claims(sessions) == 1


def test_damage_within_the_window_is_claimed_and_after_it_is_refused(
    sessions: sessionmaker[Session], shop: SupportShopFixture
) -> None:
    within = _desk(sessions, TODAY - timedelta(days=5)).report(
        shop.cleo_id, shop.cleo_recent_delivered, ClaimKind.DAMAGED, "screen cracked"
    )
    assert within.verdict == ClaimVerdict.OPENED
    assert within.to_person  # the order is worth more than the policy's 200
    late = _desk(sessions).report(shop.cleo_id, shop.cleo_old_delivered, ClaimKind.DAMAGED)
    assert late.verdict == ClaimVerdict.OUTSIDE_WINDOW
    with sessions() as session:
        claim = session.get(Claim, within.claim_id)
        assert claim is not None and claim.description == "screen cracked"


def test_cheap_damage_stays_open_for_the_shop_to_settle_without_a_person(
    sessions: sessionmaker[Session], shop: SupportShopFixture
) -> None:
    outcome = _desk(sessions, TODAY - timedelta(days=55)).report(
        shop.cleo_id, shop.cleo_old_delivered, ClaimKind.DAMAGED, "box crushed"
    )
    assert (outcome.verdict, outcome.to_person) == (ClaimVerdict.OPENED, False)


def test_wrong_address_after_dispatch_goes_to_a_person_and_before_dispatch_points_elsewhere(
    sessions: sessionmaker[Session], shop: SupportShopFixture
) -> None:
    desk = _desk(sessions)
    shipped = desk.report(shop.small.ada_id, shop.small.ada_shipped_order, ClaimKind.WRONG_ADDRESS)
    assert (shipped.verdict, shipped.to_person) == (ClaimVerdict.OPENED, True)
    unshipped = desk.report(
        shop.small.ada_id, shop.small.ada_unshipped_order, ClaimKind.WRONG_ADDRESS
    )
    assert unshipped.verdict == ClaimVerdict.NOT_DISPATCHED
