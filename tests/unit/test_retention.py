"""The retention rule: who may get a goodwill code, how big, and how often."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from insight.profiles.repository import profile_from_row
from insight.support.policies import retention_policy
from insight.support.retention import NoOffer, OfferTerms, decide_retention
from tests.factories import RETENTION_POLICY as POLICY
from tests.factories import profile_row

NOW = datetime(2026, 11, 20, 12, 0)
AT_RISK = profile_from_row(profile_row(1, churn_risk=0.85, spent=1200.0))


def test_a_valuable_customer_at_high_risk_gets_the_policys_capped_code() -> None:
    assert decide_retention(POLICY, AT_RISK, None, NOW) == OfferTerms(
        Decimal(10), Decimal(30), NOW + timedelta(days=30)
    )


def test_the_shop_owner_can_turn_it_off() -> None:
    assert decide_retention(replace(POLICY, enabled=False), AT_RISK, None, NOW) == NoOffer.DISABLED


def test_no_profile_or_no_risk_reading_gets_nothing() -> None:
    assert decide_retention(POLICY, None, None, NOW) == NoOffer.NO_PROFILE
    never_ordered = replace(AT_RISK, churn_risk=None)
    assert decide_retention(POLICY, never_ordered, None, NOW) == NoOffer.NO_PROFILE


def test_small_spenders_and_loyal_customers_get_nothing() -> None:
    small = replace(AT_RISK, monetary=300.0, predicted_value_12m=100.0)
    assert decide_retention(POLICY, small, None, NOW) == NoOffer.LOW_VALUE
    loyal = replace(AT_RISK, churn_risk=0.2)
    assert decide_retention(POLICY, loyal, None, NOW) == NoOffer.LOW_RISK


def test_lifetime_value_counts_what_is_expected_as_well_as_what_was_spent() -> None:
    both = replace(AT_RISK, monetary=400.0, predicted_value_12m=100.0)
    assert isinstance(decide_retention(POLICY, both, None, NOW), OfferTerms)


def test_once_per_period() -> None:
    recent = NOW - timedelta(days=179)
    assert decide_retention(POLICY, AT_RISK, recent, NOW) == NoOffer.RECENTLY_OFFERED
    assert isinstance(decide_retention(POLICY, AT_RISK, NOW - timedelta(days=180), NOW), OfferTerms)


def test_the_policy_comes_from_the_policies_file(tmp_path: Path) -> None:
    assert retention_policy(tmp_path).enabled is False  # no file: off
    (tmp_path / "policies.yml").write_text(
        "retention_offer:\n  percent: 15\n  max_value: 20\n  once_per_days: 30\n"
    )
    policy = retention_policy(tmp_path)
    assert (policy.enabled, policy.percent, policy.max_value) == (True, Decimal(15), Decimal(20))
    assert (policy.once_per_days, policy.min_churn_risk) == (30, 0.7)
    (tmp_path / "policies.yml").write_text("retention_offer:\n  enabled: false\n")
    assert retention_policy(tmp_path).enabled is False
