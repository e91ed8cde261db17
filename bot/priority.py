"""How urgent an escalated conversation is: emotion, customer value and waiting time.

``escalation_priority`` is stored when the conversation joins the queue; ``queue_score`` adds
waiting time when the queue is read, so a calm shopper who has waited long still gets served.
"""

from __future__ import annotations

from decimal import Decimal

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


def customer_value(total_spent: Decimal | None) -> float:
    """0 for a guest or a new customer, 1 for one who has spent VALUABLE_CUSTOMER_SPEND or more."""
    if total_spent is None or total_spent <= 0:
        return 0.0
    return float(min(Decimal(1), total_spent / VALUABLE_CUSTOMER_SPEND))


def escalation_priority(
    requested: float, emotion: str | None, confidence: float, value: float
) -> float:
    """requested: the urgency the escalation came with (0..1); value: ``customer_value``."""
    felt = EMOTION_WEIGHT.get(emotion or "", 0.0) * max(0.0, min(1.0, confidence))
    return round(max(0.0, min(1.0, requested)) + felt + 0.5 * value, 3)


def queue_score(priority: float, waited_s: float) -> float:
    wait = min(MAX_WAIT_POINTS, max(0.0, waited_s) / 60 * WAIT_POINTS_PER_MINUTE)
    return round(priority + wait, 3)
