"""``FaissFaqIndex``: FAISS over MiniLM embeddings of each entry's question and paraphrases."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from insight.embeddings import Encoder, Vectors, default_encoder
from insight.faq.build import (
    FaqArtefact,
    FaqBuild,
    FaqBuildConfig,
    ensure_faq_artefact,
    load_faq_artefact,
)
from insight.faq.contracts import AskedReader, FaqAnswer, FaqEntry, FaqHit
from insight.faq.knowledge import normalise_text
from insight.faq.scope import mentions_order_reference
from insight.settings import Settings


class FaissFaqIndex:
    """Finds the artefact for the current knowledge (building it if missing) on first use.

    ``threshold`` overrides the tuned ones stored in the artefact; ``reader`` tunes the asked
    threshold when the artefact is built (see ``insight.faq.tuning``). Queries that name an
    order, parcel or tracking number are never answered (see ``insight.faq.scope``).
    """

    def __init__(
        self,
        knowledge_dir: Path,
        cache_dir: Path,
        encoder: Encoder | None = None,
        config: FaqBuildConfig | None = None,
        threshold: float | None = None,
        *,
        reader: AskedReader | None = None,
    ) -> None:
        self.knowledge_dir = knowledge_dir
        self.cache_dir = cache_dir
        self.encoder = encoder
        self.config = config or FaqBuildConfig()
        self.threshold_override = threshold
        self.reader = reader
        self._artefact: FaqArtefact | None = None
        self._build: FaqBuild | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, encoder: Encoder | None = None) -> FaissFaqIndex:
        from insight.understanding.asked import asked_reader_from_settings

        reader = asked_reader_from_settings(settings)
        return cls(settings.knowledge_dir, settings.cache_dir, encoder, reader=reader)

    def warm_up(self) -> None:
        """Load the index and the encoder (a process that searches with vectors the shared
        understanding pass made, such as the gateway, needs only the index)."""
        self._loaded()
        self._encoder().warm_up()

    def _encoder(self) -> Encoder:
        if self.encoder is None:
            self.encoder = default_encoder()
        return self.encoder

    def _loaded(self) -> FaqArtefact:
        with self._lock:
            if self._artefact is None:
                encoder = self._encoder()
                self._build = ensure_faq_artefact(
                    self.knowledge_dir, self.cache_dir, encoder, self.config, reader=self.reader
                )
                self._artefact = load_faq_artefact(self._build.path, encoder, self.config.vectors)
            return self._artefact

    @property
    def build_info(self) -> FaqBuild:
        self._loaded()
        assert self._build is not None
        return self._build

    @property
    def threshold(self) -> float:
        if self.threshold_override is not None:
            return self.threshold_override
        return self._loaded().threshold

    @property
    def asked_threshold(self) -> float:
        """The threshold when the intent reader is sure (never above ``threshold``)."""
        if self.threshold_override is not None:
            return self.threshold_override
        return min(self._loaded().asked_threshold, self.threshold)

    @property
    def entries(self) -> tuple[FaqEntry, ...]:
        return self._loaded().entries

    def indexes_text(self, text: str) -> bool:
        """Whether ``text`` (ignoring case and punctuation) is one of the indexed texts."""
        return normalise_text(text) in self._loaded().texts

    def search(self, query: str, k: int = 3) -> list[FaqHit]:
        return self.search_many([query], k)[0]

    def search_many(self, queries: Sequence[str], k: int = 3) -> list[list[FaqHit]]:
        """Batch form of ``search``: one encoder call for all queries."""
        artefact = self._loaded()
        ranked = artefact.searcher.search(queries, k)
        return [
            [self._hit(artefact.entries[entry], score) for entry, score in hits] for hits in ranked
        ]

    def search_vector(self, vector: Vectors, k: int = 3) -> list[FaqHit]:
        """``search`` for a query already embedded with the index's encoder (one row)."""
        artefact = self._loaded()
        ranked = artefact.searcher.search_vectors(vector.reshape(1, -1), k)[0]
        return [self._hit(artefact.entries[entry], score) for entry, score in ranked]

    def answer(self, query: str) -> FaqAnswer | None:
        return self.answer_from(query, self.search(query, k=1))

    def answer_from(
        self, query: str, hits: Sequence[FaqHit], asked: bool = False
    ) -> FaqAnswer | None:
        """The answer ``answer(query)`` gives, from hits already searched for ``query``; with
        ``asked`` (the intent reader is sure it is an FAQ question) from the asked threshold."""
        threshold = self.asked_threshold if asked else self.threshold
        if not hits or hits[0].score < threshold or mentions_order_reference(query):
            return None
        best = hits[0]
        return FaqAnswer(best.entry_id, best.question, best.answer, best.score, threshold)

    @staticmethod
    def _hit(entry: FaqEntry, score: float) -> FaqHit:
        return FaqHit(entry.id, entry.question, entry.answer, score)
