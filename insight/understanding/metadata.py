"""The intent and mood readings as they travel in a message's metadata, in plain Python.

The Rasa server reads them (``bot.rasa_nlu``) in its own virtual environment, which has none of
insight's dependencies: this module imports nothing but the standard library and
``insight.emotion.base`` (standard library only as well).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeGuard

from insight.emotion.base import LABELS

# How many intents of the ranking travel with a message (Rasa shows ten).
RANKING_LENGTH = 10

FAQ_INTENT = "ask_faq"
TONES = ("calm", "upset")


@dataclass(frozen=True)
class IntentGuess:
    name: str
    confidence: float


def intent_from_metadata(value: object) -> tuple[tuple[IntentGuess, ...], float] | None:
    """The ranking (best first) and threshold that ``Reading.intent_metadata`` wrote; None when
    absent or malformed."""
    if not isinstance(value, Mapping):
        return None
    ranking, threshold = value.get("ranking"), value.get("threshold")
    if not isinstance(ranking, list) or not ranking or not _probability(threshold):
        return None
    guesses = []
    for item in ranking:
        if not isinstance(item, Mapping):
            return None
        name, confidence = item.get("name"), item.get("confidence")
        if not isinstance(name, str) or not name or not _probability(confidence):
            return None
        guesses.append(IntentGuess(name, float(confidence)))
    guesses.sort(key=lambda guess: -guess.confidence)
    return tuple(guesses), float(threshold)


def _probability(value: object) -> TypeGuard[int | float]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and 0.0 <= value <= 1.0


def sure_of(value: object, intent: str) -> bool:
    """Whether the intent reading in ``value`` (as ``Reading.intent_metadata`` wrote it) is sure
    the message is ``intent``."""
    read = intent_from_metadata(value)
    if read is None:
        return False
    ranking, threshold = read
    return ranking[0].name == intent and ranking[0].confidence >= threshold


@dataclass(frozen=True)
class Mood:
    """The emotion label and reply tone the gateway read from a message."""

    emotion: str
    tone: str


def mood_from_metadata(value: object) -> Mood | None:
    """The label and tone of the gateway's emotion reading (``Understood.metadata``); None when
    absent or not one of the known labels and tones."""
    if not isinstance(value, Mapping):
        return None
    label, tone = value.get("label"), value.get("tone")
    if label in LABELS and tone in TONES:
        return Mood(str(label), str(tone))
    return None
