"""What the gateway reads from each shopper message and passes on to the assistant.

One call per message: the shared encoder pass (``Understander``), then the FAQ index searched
with the pass's query vector, so the action server answers an FAQ question without encoding the
message again. ``metadata`` is the part that travels to Rasa with the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from insight.embeddings import Vectors
from insight.emotion.base import Emotion
from insight.faq.contracts import FaqHit
from insight.understanding.contracts import Reading, Understander


class VectorSearch(Protocol):
    """An FAQ index that can search with a vector the shared pass already made."""

    def search_vector(self, vector: Vectors, k: int = 3) -> list[FaqHit]: ...


@dataclass(frozen=True)
class Understood:
    reading: Reading
    faq_hit: FaqHit | None

    @property
    def emotion(self) -> Emotion:
        return self.reading.emotion

    def metadata(self) -> dict[str, Any]:
        """The reading as JSON for the message metadata: emotion, intent ranking, FAQ hit."""
        found: dict[str, Any] = {"emotion": self.reading.emotion.to_metadata()}
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
        reading = self.understander.read(text)
        hits = self.faq.search_vector(reading.vector, k=1) if self.faq is not None else []
        return Understood(reading, hits[0] if hits else None)
