"""How urgent an escalated conversation is: emotion, customer value and waiting time.

Customer value reads the fused profile when there is one: a customer expected to spend a lot in
the next year counts like one who already has, and a valuable customer at risk of leaving counts
more still, since a bad conversation may be what makes them go.

``escalation_priority`` is stored when the conversation joins the queue; ``queue_score`` adds
waiting time when the queue is read, so a calm shopper who has waited long still gets served.
"""

from __future__ import annotations

from decimal import Decimal

from insight.customer_cards import CustomerCard
from insight.profiles.contracts import HIGH_CHURN_RISK

# How much each emotion of the shopper's latest messages adds (times the detector's confidence).
EMOTION_WEIGHT = {
    "anger": 1.0,
    "frustration": 0.8,
    "anxiety": 0.6,
    "sadness": 0.5,
    "confusion": 0.3,
}
VALUABLE_CUSTOMER_SPEND = Decimal("2000")
WAIT_POINTS_PER_MINUTE = 0.05
MAX_WAIT_POINTS = 1.5
AT_RISK_BONUS = 0.5  # a valuable customer likely to leave: value × 1.5


def customer_value(card: CustomerCard | None) -> float:
    """0 for a guest or a new customer, 1 for one who has spent or is expected to spend
    VALUABLE_CUSTOMER_SPEND or more in a year, up to 1.5 when such a customer is at risk."""
    if card is None:
        return 0.0
    profile = card.profile
    expected = Decimal(str(profile.predicted_value_12m)) if profile else Decimal(0)
    worth = max(card.total_spent, expected)
    if worth <= 0:
        return 0.0
    value = float(min(Decimal(1), worth / VALUABLE_CUSTOMER_SPEND))
    at_risk = profile is not None and (profile.churn_risk or 0.0) >= HIGH_CHURN_RISK
    return value * (1 + AT_RISK_BONUS) if at_risk else value


def escalation_priority(
    requested: float, emotion: str | None, confidence: float, value: float
) -> float:
    """requested: the urgency the escalation came with (0..1); value: ``customer_value``."""
    felt = EMOTION_WEIGHT.get(emotion or "", 0.0) * max(0.0, min(1.0, confidence))
    return round(max(0.0, min(1.0, requested)) + felt + 0.5 * value, 3)


def queue_score(priority: float, waited_s: float) -> float:
    wait = min(MAX_WAIT_POINTS, max(0.0, waited_s) / 60 * WAIT_POINTS_PER_MINUTE)
    return round(priority + wait, 3)
