"""The shopper's mood in this turn: which tone the replies take and whether to offer a person.

The reading comes from ``insight.emotion`` (any ``EmotionDetector``); :func:`assess` adds what
the conversation looked like before, so that one grumpy word does not summon a person while
sustained frustration or plain anger does.
"""

from __future__ import annotations

from dataclasses import dataclass

from insight.emotion.base import Emotion

UPSET_LABELS = frozenset({"anger", "frustration"})
UPSET_MIN_CONFIDENCE = 0.5
# Escalating at once takes anger this sure, or frustration this sure; otherwise being upset in
# two turns in a row does.
ESCALATE_AT_ONCE = {"anger": 0.7, "frustration": 0.85}


@dataclass(frozen=True)
class Mood:
    label: str
    tone: str  # "upset" or "calm": which variant of a reply to use
    escalate: bool  # offer the shopper a person after the next answer


def assess(emotion: Emotion, previously_upset: bool, escalated: bool) -> Mood:
    """Escalation stays raised once it is, until a person is offered (the caller resets it)."""
    upset = emotion.label in UPSET_LABELS and emotion.confidence >= UPSET_MIN_CONFIDENCE
    strong = emotion.confidence >= ESCALATE_AT_ONCE.get(emotion.label, 2.0)
    return Mood(
        label=emotion.label,
        tone="upset" if upset else "calm",
        escalate=escalated or strong or (upset and previously_upset),
    )
