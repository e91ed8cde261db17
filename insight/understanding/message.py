"""What the gateway reads from each shopper message and passes on to the assistant.

One call per message: the shared encoder pass (``Understander``), then, when the message may be
an FAQ question (``may_be_a_question``), the FAQ index searched with the pass's query vector, so
the action server answers an FAQ question without encoding the message again. ``metadata`` is
the part that travels to Rasa with the message.

The FAQ hit is evidence for the intent too. When the pass guesses ``ask_faq`` but below its
threshold, and the FAQ's best answer clears the FAQ's own threshold (tuned apart, on questions
written for it, to keep answers to out-of-scope questions rare), the guess is trusted: the
reading's threshold becomes the guess's confidence. Asking a shopper to rephrase a question the
FAQ can answer helps nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from insight.embeddings import Vectors
from insight.emotion.base import Emotion
from insight.faq.contracts import FaqHit
from insight.support.mood import tone
from insight.understanding.contracts import Reading, Understander
from insight.understanding.metadata import FAQ_INTENT


class VectorSearch(Protocol):
    """An FAQ index that can search with a vector the shared pass already made."""

    def search_vector(self, vector: Vectors, k: int = 3) -> list[FaqHit]: ...

    @property
    def threshold(self) -> float:
        """The score from which the FAQ answers."""
        ...


@dataclass(frozen=True)
class Understood:
    reading: Reading
    faq_hit: FaqHit | None

    @property
    def emotion(self) -> Emotion:
        return self.reading.emotion

    def metadata(self) -> dict[str, Any]:
        """The reading as JSON for the message metadata: emotion with the tone it calls for,
        intent ranking, FAQ hit."""
        emotion = self.reading.emotion
        found: dict[str, Any] = {"emotion": {**emotion.to_metadata(), "tone": tone(emotion)}}
        intent = self.reading.intent_metadata()
        if intent is not None:
            found["intent"] = intent
        if self.faq_hit is not None:
            found["faq"] = [self.faq_hit.to_metadata()]
        return found


class MessageUnderstanding:
    """The shared pass and, when an FAQ index is given, its best hit for the message."""

    def __init__(self, understander: Understander, faq: VectorSearch | None = None) -> None:
        self.understander = understander
        self.faq = faq

    def warm_up(self) -> None:
        self.understander.warm_up()
        if self.faq is not None:
            self.faq.search_vector(self.understander.read("hello").vector, k=1)

    def read(self, text: str) -> Understood:
        return self._understood(self.understander.read(text))

    def read_many(self, texts: Sequence[str]) -> list[Reading]:
        """The readings of many messages at once, as ``read`` would give them (evaluation)."""
        return [self._understood(r).reading for r in self.understander.read_many(texts)]

    def _understood(self, reading: Reading) -> Understood:
        if self.faq is None or not may_be_a_question(reading):
            return Understood(reading, None)
        hits = self.faq.search_vector(reading.vector, k=1)
        hit = hits[0] if hits else None
        guess = reading.intent
        if (
            hit is not None
            and guess is not None
            and guess.name == FAQ_INTENT
            and not reading.sure
            and hit.score >= self.faq.threshold
        ):
            reading = replace(reading, threshold=guess.confidence)
        return Understood(reading, hit)


def may_be_a_question(reading: Reading) -> bool:
    """Whether the FAQ is worth searching: the pass reads an FAQ question, or is not sure what
    the message is. A sure reading of anything else (an order number, a greeting) is answered
    without the FAQ, so its query vector is never made."""
    guess = reading.intent
    return guess is None or guess.name == FAQ_INTENT or not reading.sure
