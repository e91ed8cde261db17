"""What crosses the FAQ boundary: entries, hits, answers, the ``FaqIndex`` contract and its fake."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class FaqEntry:
    """One FAQ entry; ``answer`` already has the shop's policy values filled in."""

    id: str
    topic: str
    question: str
    paraphrases: tuple[str, ...]
    answer: str

    @property
    def texts(self) -> tuple[str, ...]:
        """Everything that is embedded for this entry: the question and its paraphrases."""
        return (self.question, *self.paraphrases)


@dataclass(frozen=True)
class FaqHit:
    entry_id: str
    question: str
    answer: str
    score: float

    def to_metadata(self) -> dict[str, object]:
        """The hit as the gateway passes it on with a message (JSON)."""
        return {
            "id": self.entry_id,
            "question": self.question,
            "answer": self.answer,
            "score": round(self.score, 4),
        }

    @classmethod
    def from_metadata(cls, value: object) -> FaqHit | None:
        """The hit ``to_metadata`` wrote; None when absent or malformed."""
        if not isinstance(value, dict):
            return None
        fields = (value.get("id"), value.get("question"), value.get("answer"))
        score = value.get("score")
        if not all(isinstance(f, str) and f for f in fields) or isinstance(score, bool):
            return None
        if not isinstance(score, int | float) or not -1.0 <= score <= 1.0:
            return None
        return cls(str(fields[0]), str(fields[1]), str(fields[2]), float(score))


@dataclass(frozen=True)
class FaqAnswer:
    """A hit the index is sure enough about to show the shopper (``score >= threshold``, the
    threshold that applied: the asked one when the intent reader was sure)."""

    entry_id: str
    question: str
    answer: str
    score: float
    threshold: float


class AskedReader(Protocol):
    """Which texts the intent reader is sure are FAQ questions (tunes the asked threshold)."""

    @property
    def name(self) -> str:
        """Changes whenever the reader's model does (part of the FAQ artefact's fingerprint)."""
        ...

    def asked(self, texts: Sequence[str]) -> list[bool]: ...


class FaqIndex(Protocol):
    def warm_up(self) -> None: ...

    def search(self, query: str, k: int = 3) -> list[FaqHit]:
        """The ``k`` best entries, best first, whatever their score."""
        ...

    def answer(self, query: str) -> FaqAnswer | None:
        """The best entry when the index is sure enough; ``None`` means "not sure"."""
        ...

    def answer_from(
        self, query: str, hits: Sequence[FaqHit], asked: bool = False
    ) -> FaqAnswer | None:
        """What ``answer(query)`` says, from hits already found for ``query`` (best first);
        ``asked``: the intent reader was sure ``query`` is an FAQ question, so the lower asked
        threshold applies."""
        ...


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


class FakeFaqIndex:
    """Deterministic in-memory ``FaqIndex`` for tests: score = word overlap (Jaccard)."""

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        threshold: float = 0.5,
        asked_threshold: float | None = None,
    ) -> None:
        self.entries = tuple(entries)
        self.threshold = threshold
        self.asked_threshold = threshold if asked_threshold is None else asked_threshold

    def warm_up(self) -> None:
        """Nothing to load."""

    def search(self, query: str, k: int = 3) -> list[FaqHit]:
        asked = _words(query)
        hits = []
        for entry in self.entries:
            score = max(
                len(asked & _words(text)) / max(len(asked | _words(text)), 1)
                for text in entry.texts
            )
            hits.append(FaqHit(entry.id, entry.question, entry.answer, score))
        hits.sort(key=lambda hit: (-hit.score, hit.entry_id))
        return hits[:k]

    def answer(self, query: str) -> FaqAnswer | None:
        return self.answer_from(query, self.search(query, k=1))

    def answer_from(
        self, query: str, hits: Sequence[FaqHit], asked: bool = False
    ) -> FaqAnswer | None:
        threshold = self.asked_threshold if asked else self.threshold
        if not hits or hits[0].score < threshold:
            return None
        best = hits[0]
        return FaqAnswer(best.entry_id, best.question, best.answer, best.score, threshold)
