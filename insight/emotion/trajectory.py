"""The conversation-level view: a shopper's emotions turn by turn, and when to escalate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from insight.emotion.base import Emotion, EmotionLabel

EscalationReason = Literal["acute_anger", "sustained_negative", "polarity_drop"]
HOSTILE_LABELS: frozenset[EmotionLabel] = frozenset({"anger", "frustration"})


@dataclass(frozen=True)
class Escalation:
    escalate: bool
    reason: EscalationReason | None = None

    def __bool__(self) -> bool:
        return self.escalate


@dataclass(frozen=True)
class EscalationRule:
    """When a conversation should go to a human, judged at the shopper's latest turn.

    Escalate when, checked in this order:

    1. ``acute_anger``: the latest turn is anger with confidence ≥ ``acute_anger_confidence``;
    2. ``sustained_negative``: the latest ``sustained_turns`` turns are all anger or frustration
       (mixing the two counts), each with confidence ≥ ``sustained_confidence``;
    3. ``polarity_drop``: over the latest ``drop_window`` turns, the latest polarity is at least
       ``drop`` below the highest earlier one in the window, and is itself ≤ ``drop_floor``: the
       mood swung from content to upset, say a shopper who thought the problem solved finds it
       is not. A fall from delighted to neutral is no reason to escalate, and neither is one
       negative message after neutral ones (the model puts those at about −0.8 to −0.9, so a
       ``drop`` below 1 would fire on any complaint).

    Only the latest turn can trigger: a shopper who was furious and has calmed down is not
    escalated again, so the signal is worth acting on each time it fires.

    This is the one rule for "the shopper's mood calls for a person": the gateway applies it to
    the readings it stored and queues the conversation; the assistant's tone reads
    :meth:`hostile` (``insight.support.mood``).
    """

    acute_anger_confidence: float = 0.9
    sustained_confidence: float = 0.6
    sustained_turns: int = 2
    drop: float = 1.2
    drop_floor: float = -0.5
    drop_window: int = 3

    @property
    def window(self) -> int:
        """How many of the latest turns :meth:`evaluate` reads."""
        return max(1, self.sustained_turns, self.drop_window)

    def hostile(self, turn: Emotion) -> bool:
        """Anger or frustration, confidently: what a sustained escalation is made of."""
        return turn.label in HOSTILE_LABELS and turn.confidence >= self.sustained_confidence

    def may_fire(self, latest: Emotion) -> bool:
        """Whether a conversation whose latest turn is ``latest`` can escalate at all, whatever
        came before (so a caller can skip reading the earlier turns)."""
        acute = latest.label == "anger" and latest.confidence >= self.acute_anger_confidence
        return acute or self.hostile(latest) or latest.polarity <= self.drop_floor

    def evaluate(self, turns: Sequence[Emotion]) -> Escalation:
        if not turns or not self.may_fire(turns[-1]):
            return Escalation(False)
        latest = turns[-1]
        if latest.label == "anger" and latest.confidence >= self.acute_anger_confidence:
            return Escalation(True, "acute_anger")
        recent = turns[-self.sustained_turns :]
        if len(recent) == self.sustained_turns and all(self.hostile(turn) for turn in recent):
            return Escalation(True, "sustained_negative")
        earlier = turns[-self.drop_window : -1]
        if (
            earlier
            and latest.polarity <= self.drop_floor
            and max(turn.polarity for turn in earlier) - latest.polarity >= self.drop
        ):
            return Escalation(True, "polarity_drop")
        return Escalation(False)


@dataclass(frozen=True)
class EmotionTrajectory:
    """The emotions of a shopper's turns, oldest first; ``add`` returns a new trajectory."""

    turns: tuple[Emotion, ...] = ()

    def add(self, emotion: Emotion) -> EmotionTrajectory:
        return EmotionTrajectory((*self.turns, emotion))

    @property
    def latest(self) -> Emotion | None:
        return self.turns[-1] if self.turns else None

    def escalation(self, rule: EscalationRule | None = None) -> Escalation:
        return (rule or EscalationRule()).evaluate(self.turns)
