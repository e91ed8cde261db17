from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from bot.priority import customer_value, escalation_priority, queue_score
from insight.customer_cards import CustomerCard
from insight.profiles.contracts import CustomerProfile

WHEN = datetime(2026, 11, 20)


def _card(spent: str, profile: CustomerProfile | None = None) -> CustomerCard:
    return CustomerCard(
        1, "C-1", "Ada", "ada@example.com", "NO", WHEN, 3, Decimal(spent), None, None, profile
    )


def _profile(expected: float, churn_risk: float | None) -> CustomerProfile:
    return CustomerProfile(
        customer_id=1,
        segment="premium shoppers",
        churn_risk=churn_risk,
        predicted_value_12m=expected,
        expected_orders_12m=1.0,
        top_categories=(),
        top_brands=(),
        price_band=None,
        sentiment=None,
        review_count=0,
        top_topics=(),
        last_order_number=None,
        last_order_at=None,
        recency_days=None,
        frequency=3,
        monetary=0.0,
        avg_order_value=None,
        tenure_days=100.0,
        views_per_order=None,
        return_rate=None,
        days_since_contact=None,
        as_of=WHEN,
        vector=(),
    )


def test_customer_value_grows_with_spend_and_saturates() -> None:
    assert customer_value(None) == 0.0
    assert customer_value(_card("0")) == 0.0
    assert customer_value(_card("1000")) == 0.5
    assert customer_value(_card("50000")) == 1.0


def test_expected_spend_counts_like_past_spend_and_risk_of_leaving_adds_to_it() -> None:
    steady = _card("500", _profile(expected=1000.0, churn_risk=0.2))
    assert customer_value(steady) == 0.5  # the larger of spent (0.25) and expected (0.5)
    assert customer_value(replace(steady, profile=_profile(1000.0, 0.9))) == 0.75
    assert customer_value(_card("0", _profile(0.0, 0.9))) == 0.0  # nothing to lose


def test_an_angry_valuable_customer_outranks_a_calm_guest() -> None:
    angry = escalation_priority(0.5, "anger", 0.9, customer_value(_card("3000")))
    calm = escalation_priority(0.5, "neutral", 0.9, 0.0)

    assert angry > calm == 0.5


def test_waiting_adds_up_to_a_cap() -> None:
    assert queue_score(0.5, 0) == 0.5
    assert queue_score(0.5, 600) > queue_score(0.5, 60) > 0.5
    assert queue_score(0.5, 10**6) == queue_score(0.5, 10**7) == 2.0
