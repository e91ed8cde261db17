from __future__ import annotations

from decimal import Decimal

from bot.priority import customer_value, escalation_priority, queue_score


def test_customer_value_grows_with_spend_and_saturates() -> None:
    assert customer_value(None) == 0.0
    assert customer_value(Decimal("0")) == 0.0
    assert customer_value(Decimal("1000")) == 0.5
    assert customer_value(Decimal("50000")) == 1.0


def test_an_angry_valuable_customer_outranks_a_calm_guest() -> None:
    angry = escalation_priority(0.5, "anger", 0.9, customer_value(Decimal("3000")))
    calm = escalation_priority(0.5, "neutral", 0.9, 0.0)

    assert angry > calm == 0.5


def test_waiting_adds_up_to_a_cap() -> None:
    assert queue_score(0.5, 0) == 0.5
    assert queue_score(0.5, 600) > queue_score(0.5, 60) > 0.5
    assert queue_score(0.5, 10**6) == queue_score(0.5, 10**7) == 2.0
