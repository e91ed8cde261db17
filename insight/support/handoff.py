"""Why a conversation goes to a person and how urgently the assistant asks for it.

The priority is the assistant's part only (why, and whether the shopper's mood escalated); the
gateway adds the emotion trajectory, the customer's value and the waiting time when it queues.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class HandoffReason(enum.StrEnum):
    SHOPPER_ASKED = "shopper_asked"
    OFFER_ACCEPTED = "offer_accepted"
    COMPLAINT = "complaint"
    PAYMENT_PROBLEM = "payment_problem"
    UPSET = "upset"
    NOT_UNDERSTOOD = "not_understood"


URGENCY = {
    HandoffReason.SHOPPER_ASKED: 0.4,
    HandoffReason.OFFER_ACCEPTED: 0.4,
    HandoffReason.COMPLAINT: 0.6,
    HandoffReason.PAYMENT_PROBLEM: 0.7,
    HandoffReason.UPSET: 0.6,
    HandoffReason.NOT_UNDERSTOOD: 0.3,
}
UPSET_BONUS = 0.2


@dataclass(frozen=True)
class HandoffRequest:
    reason: HandoffReason
    priority: float  # 0 (whenever someone is free) … 1 (first in the queue)


def handoff_request(reason: HandoffReason, upset: bool) -> HandoffRequest:
    """Urgency by reason, a little more when the shopper is upset right now."""
    priority = URGENCY[reason] + (UPSET_BONUS if upset else 0.0)
    return HandoffRequest(reason, round(min(priority, 1.0), 2))
