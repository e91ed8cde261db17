"""What one understanding pass reads from a message, the ``Understander`` contract and its fake.

The gateway reads every shopper message once (``Understander.read``) and passes the reading on
to Rasa in the message metadata (``Reading.to_metadata``): the intent ranking for the Rasa NLU
component that uses it, the emotion for the tone, and the FAQ hits found with the query vector,
so that neither Rasa nor the action server encodes the message again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

import numpy as np

from insight.embeddings import FakeEncoder, Vectors
from insight.emotion.base import Emotion, EmotionDetector, KeywordEmotionDetector
from insight.understanding.metadata import RANKING_LENGTH, IntentGuess


@dataclass(frozen=True)
class Reading:
    """Everything one pass of the shared encoder read from one message.

    ``intents`` is the ranking, best first (empty when the model knows no intents);
    ``threshold`` is the confidence below which the top intent is not trusted (chosen on data
    when the model was built); ``vector`` is the L2-normalised sentence embedding (one row)
    that FAQ retrieval searches with (the packaged MiniLM's own, so the FAQ index is unchanged).
    ``query`` computes that vector when first asked for: most messages are not FAQ questions,
    and the layers that make it are a quarter of the pass.
    """

    intents: tuple[IntentGuess, ...]
    threshold: float
    emotion: Emotion
    query: Callable[[], Vectors] = field(repr=False, compare=False)

    @cached_property
    def vector(self) -> Vectors:
        return self.query()

    @property
    def intent(self) -> IntentGuess | None:
        return self.intents[0] if self.intents else None

    @property
    def sure(self) -> bool:
        """Whether the top intent clears the model's threshold."""
        return self.intent is not None and self.intent.confidence >= self.threshold

    def intent_metadata(self) -> dict[str, Any] | None:
        """The intent reading as it travels in the message metadata (JSON)."""
        if self.intent is None:
            return None
        return {
            "name": self.intent.name,
            "confidence": round(self.intent.confidence, 4),
            "threshold": round(self.threshold, 4),
            "ranking": [
                {"name": guess.name, "confidence": round(guess.confidence, 4)}
                for guess in self.intents[:RANKING_LENGTH]
            ],
        }


class Understander(Protocol):
    def warm_up(self) -> None:
        """Load the model; ``read`` calls it on first use anyway."""
        ...

    def read(self, text: str) -> Reading: ...

    def read_many(self, texts: Sequence[str]) -> list[Reading]: ...


class KeywordUnderstander:
    """Deterministic stand-in for tests of other layers: keyword emotion (or ``emotion``), the
    hashing encoder, and the first intent whose keyword the message contains (no keywords: no
    intents)."""

    def __init__(
        self,
        keywords: Mapping[str, Sequence[str]] | None = None,
        threshold: float = 0.5,
        dim: int = 64,
        emotion: EmotionDetector | None = None,
    ) -> None:
        self.keywords = dict(keywords or {})
        self.threshold = threshold
        self._emotion = emotion or KeywordEmotionDetector()
        self._encoder = FakeEncoder(dim)

    def warm_up(self) -> None:
        """Nothing to load."""

    def read(self, text: str) -> Reading:
        return self.read_many([text])[0]

    def read_many(self, texts: Sequence[str]) -> list[Reading]:
        vectors = self._encoder.encode(texts)
        return [self._read(text, vector) for text, vector in zip(texts, vectors, strict=True)]

    def _read(self, text: str, vector: np.ndarray[Any, Any]) -> Reading:
        lowered = text.lower()
        names = list(self.keywords)
        hit = next((n for n in names if any(w in lowered for w in self.keywords[n])), None)
        intents: tuple[IntentGuess, ...] = ()
        if names:
            ordered = [hit] + [n for n in names if n != hit] if hit else names
            top = 0.9 if hit else 1.0 / len(names)
            rest = (1.0 - top) / max(1, len(names) - 1)
            intents = tuple(IntentGuess(n, top if i == 0 else rest) for i, n in enumerate(ordered))
        return Reading(intents, self.threshold, self._emotion.detect(text), lambda: vector)
