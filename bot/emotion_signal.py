"""The emotion signal: how the shopper feels, message by message, and when that calls for a person.

The detector is insight's contract (``insight.emotion.base.EmotionDetector``). The gateway runs
it on every shopper message, so the agent desk's emotion timeline goes on while an agent holds
the conversation and the assistant does not see the messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class EmotionReading(Protocol):
    """What the escalation rule reads of each message: insight's ``Emotion`` or a stored one."""

    @property
    def label(self) -> str: ...

    @property
    def confidence(self) -> float: ...


class EscalationRule(Protocol):
    def check(self, trajectory: Sequence[EmotionReading]) -> str | None:
        """Why the conversation should go to a person now (None: it should not)."""


@dataclass(frozen=True)
class RepeatedNegativeEmotion:
    """Escalate when ``needed`` of the last ``window`` shopper messages were angry or frustrated."""

    labels: frozenset[str] = frozenset({"anger", "frustration"})
    needed: int = 2
    window: int = 3
    min_confidence: float = 0.6

    def check(self, trajectory: Sequence[EmotionReading]) -> str | None:
        recent = list(trajectory)[-self.window :]
        strong = [
            r for r in recent if r.label in self.labels and r.confidence >= self.min_confidence
        ]
        if len(strong) < self.needed:
            return None
        felt = ", ".join(sorted({r.label for r in strong}))
        return (
            f"the shopper sounds upset ({felt} in {len(strong)} of the last {len(recent)} messages)"
        )
