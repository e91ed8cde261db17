"""The emotion contract: label set, ``Emotion`` value, ``EmotionDetector`` protocol and its fake."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeGuard, get_args

EmotionLabel = Literal[
    "anger", "frustration", "anxiety", "confusion", "sadness", "gratitude", "neutral"
]
LABELS: tuple[EmotionLabel, ...] = get_args(EmotionLabel)


def as_label(value: str) -> EmotionLabel:
    """Narrow a string read from data or a saved model to a label, rejecting anything else."""
    for label in LABELS:
        if value == label:
            return label
    raise ValueError(f"unknown emotion label {value!r}; expected one of {', '.join(LABELS)}")


@dataclass(frozen=True)
class Emotion:
    """What a shopper's message expresses.

    ``confidence`` is the probability of ``label``; ``polarity`` runs from −1 (negative) to +1
    (positive) and is independent of the label (a grateful message can still be lukewarm).
    """

    label: EmotionLabel
    confidence: float
    polarity: float
    scores: Mapping[EmotionLabel, float] = field(default_factory=dict, hash=False)

    def to_metadata(self) -> dict[str, Any]:
        """The reading as the gateway passes it on with the message (JSON, no scores)."""
        return {
            "label": self.label,
            "confidence": round(self.confidence, 3),
            "polarity": round(self.polarity, 3),
        }

    @classmethod
    def from_metadata(cls, value: object) -> Emotion | None:
        """The reading :meth:`to_metadata` wrote; None when absent or not a valid reading."""
        if not isinstance(value, Mapping) or value.get("label") not in LABELS:
            return None
        confidence, polarity = value.get("confidence"), value.get("polarity")
        if _number_within(confidence, 0.0, 1.0) and _number_within(polarity, -1.0, 1.0):
            return cls(as_label(str(value["label"])), float(confidence), float(polarity))
        return None


class EmotionDetector(Protocol):
    def warm_up(self) -> None:
        """Load whatever the detector needs; ``detect`` calls it on first use anyway."""
        ...

    def detect(self, text: str) -> Emotion: ...


# Label-typical polarity, used by the fake (the real model predicts polarity separately).
_FAKE_POLARITY: Mapping[EmotionLabel, float] = {
    "anger": -0.9,
    "frustration": -0.6,
    "anxiety": -0.4,
    "confusion": -0.1,
    "sadness": -0.6,
    "gratitude": 0.9,
    "neutral": 0.0,
}

# Checked in this order; the first label with a matching word wins.
_FAKE_KEYWORDS: tuple[tuple[EmotionLabel, tuple[str, ...]], ...] = (
    ("anger", ("scam", "furious", "unacceptable", "disgrace", "lawyer", "thieves", "fraud")),
    ("frustration", ("again", "still", "third time", "ugh", "seriously", "waiting")),
    ("anxiety", ("worried", "nervous", "afraid", "scared", "lost", "stolen")),
    ("confusion", ("confused", "don't understand", "what does", "which one", "huh", "???")),
    ("sadness", ("disappointed", "sad", "shame", "letdown", "gutted", ":(")),
    ("gratitude", ("thank", "thanks", "great", "perfect", "awesome", "love it")),
)


class KeywordEmotionDetector:
    """Deterministic keyword matcher for tests of other layers; no model, no I/O.

    A message matching a label's words gets that label with confidence 0.9, anything else is
    neutral with 0.6. Polarity is a fixed value per label.
    """

    def warm_up(self) -> None:
        """Nothing to load."""

    def detect(self, text: str) -> Emotion:
        lowered = text.lower()
        label: EmotionLabel = "neutral"
        confidence = 0.6
        for candidate, words in _FAKE_KEYWORDS:
            if any(_contains(lowered, word) for word in words):
                label, confidence = candidate, 0.9
                break
        rest = (1.0 - confidence) / (len(LABELS) - 1)
        scores = {name: confidence if name == label else rest for name in LABELS}
        return Emotion(label, confidence, _FAKE_POLARITY[label], scores)


def _number_within(value: object, low: float, high: float) -> TypeGuard[int | float]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and low <= value <= high


def _contains(text: str, word: str) -> bool:
    if word[0].isalnum():
        return re.search(rf"\b{re.escape(word)}", text) is not None
    return word in text
