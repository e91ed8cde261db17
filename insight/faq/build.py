"""Building the FAQ artefact (FAISS index + metadata + tuned threshold), cached by its inputs' hash.

The artefact lives in ``<cache_dir>/artefacts/faq-<hash>/``. The hash covers every knowledge file
(policies, FAQ entries, tuning set), the source of the modules that shape the artefact, the
encoder's name and version, the intent reader that tunes the asked threshold (see
``insight.faq.tuning``) and the build configuration; when it matches an existing artefact
the build is skipped. The folder is written under a temporary name and renamed when complete, so
a reader never sees half an artefact.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from insight import embeddings
from insight.artefacts import write_atomically
from insight.embeddings import Encoder, default_encoder
from insight.faq import adapter, knowledge, scope, tuning, vectors
from insight.faq.adapter import AdapterConfig
from insight.faq.contracts import AskedReader, FaqEntry
from insight.faq.knowledge import TUNING_FILE, KnowledgeError
from insight.faq.tuning import Observation, ThresholdChoice
from insight.faq.vectors import EntryVectorIndex, IndexKind, VectorIndexConfig
from insight.settings import Settings

ARTEFACTS_FOLDER = "artefacts"
_META_FILE = "meta.json"
_ADAPTER_FILE = "adapter.npy"
_BUILDER_MODULES = (adapter, knowledge, scope, tuning, vectors, embeddings)


@dataclass(frozen=True)
class FaqBuildConfig:
    """``adapter=None`` indexes the encoder's embeddings as they are."""

    vectors: VectorIndexConfig = field(default_factory=VectorIndexConfig)
    adapter: AdapterConfig | None = field(default_factory=AdapterConfig)
    false_answer_weight: float = 2.0
    max_oos_answer_rate: float = 0.03


@dataclass(frozen=True)
class FaqBuild:
    """What ``ensure_faq_artefact`` found or made; ``built`` is False when the cache was used."""

    path: Path
    fingerprint: str
    built: bool
    seconds: float
    entries: int
    rows: int
    index_kind: IndexKind
    threshold: float
    asked_threshold: float


@dataclass(frozen=True)
class Searcher:
    """Queries → encoder → adapter (when the artefact has one) → entry index."""

    index: EntryVectorIndex
    encoder: Encoder
    adapter: embeddings.Vectors | None

    def search(self, queries: Sequence[str], k: int) -> list[list[tuple[int, float]]]:
        return self.search_vectors(self.encoder.encode(queries), k)

    def search_vectors(self, vectors: embeddings.Vectors, k: int) -> list[list[tuple[int, float]]]:
        """The same search for queries the encoder has already embedded."""
        if self.adapter is not None:
            vectors = adapter.project(vectors, self.adapter)
        return self.index.search(vectors, k)


@dataclass(frozen=True)
class FaqArtefact:
    entries: tuple[FaqEntry, ...]
    searcher: Searcher
    threshold: float
    asked_threshold: float
    texts: frozenset[str]  # normalised indexed texts, so evaluation can prove it never saw them


def faq_fingerprint(
    knowledge_dir: Path, encoder_name: str, config: FaqBuildConfig, reader_name: str = ""
) -> str:
    digest = hashlib.sha256()
    for path in knowledge.knowledge_inputs(knowledge_dir):
        digest.update(path.relative_to(knowledge_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    sources = [Path(str(module.__file__)) for module in _BUILDER_MODULES] + [Path(__file__)]
    for source in sources:
        digest.update(source.read_bytes())
    digest.update(encoder_name.encode() + b"\0" + reader_name.encode() + b"\0")
    digest.update(repr(config).encode())
    return digest.hexdigest()[:16]


def artefact_path(cache_dir: Path, fingerprint: str) -> Path:
    return cache_dir / ARTEFACTS_FOLDER / f"faq-{fingerprint}"


def ensure_faq_artefact(
    knowledge_dir: Path,
    cache_dir: Path,
    encoder: Encoder,
    config: FaqBuildConfig,
    force: bool = False,
    *,
    reader: AskedReader | None = None,
) -> FaqBuild:
    """Build the artefact for the current inputs unless it already exists (or ``force``);
    without ``reader`` the asked threshold equals the threshold."""
    reader_name = "" if reader is None else reader.name
    fingerprint = faq_fingerprint(knowledge_dir, encoder.name, config, reader_name)
    path = artefact_path(cache_dir, fingerprint)
    if (path / _META_FILE).exists() and not force:
        return _summary(path, fingerprint, built=False, seconds=0.0)
    started = time.perf_counter()
    write_atomically(
        path,
        lambda folder: _build(knowledge_dir, encoder, config, folder, fingerprint, reader=reader),
        complete=_META_FILE,
        force=force,
    )
    return _summary(path, fingerprint, built=True, seconds=time.perf_counter() - started)


def build_from_settings(settings: Settings, force: bool = False) -> FaqBuild:
    """``python -m insight build faq``: the shop's FAQ with the shared MiniLM encoder, its asked
    threshold tuned with the shop's intent reader."""
    from insight.understanding.asked import asked_reader_from_settings

    return ensure_faq_artefact(
        settings.knowledge_dir,
        settings.cache_dir,
        default_encoder(),
        FaqBuildConfig(),
        force,
        reader=asked_reader_from_settings(settings),
    )


def _summary(path: Path, fingerprint: str, built: bool, seconds: float) -> FaqBuild:
    meta = json.loads((path / _META_FILE).read_text())
    return FaqBuild(
        path=path,
        fingerprint=fingerprint,
        built=built,
        seconds=seconds,
        entries=len(meta["entries"]),
        rows=meta["rows"],
        index_kind=meta["index_kind"],
        threshold=meta["threshold"]["threshold"],
        asked_threshold=meta["threshold"]["asked_threshold"],
    )


def _build(
    knowledge_dir: Path,
    encoder: Encoder,
    config: FaqBuildConfig,
    folder: Path,
    fingerprint: str,
    *,
    reader: AskedReader | None,
) -> None:
    entries = knowledge.load_faq_entries(knowledge_dir)
    tuning_path = knowledge_dir / TUNING_FILE
    if not tuning_path.exists():
        raise KnowledgeError(f"{tuning_path} is required: it sets the answer threshold")
    tuning_set = knowledge.load_labelled_queries(tuning_path, {entry.id for entry in entries})
    texts = [text for entry in entries for text in entry.texts]
    row_entry = np.array(
        [number for number, entry in enumerate(entries) for _ in entry.texts], dtype=np.int64
    )
    started = time.perf_counter()
    embedded = encoder.encode(texts)
    encode_seconds = time.perf_counter() - started
    weights = None
    started = time.perf_counter()
    if config.adapter is not None:
        weights = adapter.train_adapter(embedded, row_entry, config.adapter)
        np.save(folder / _ADAPTER_FILE, weights)
    adapter_seconds = time.perf_counter() - started
    rows = embedded if weights is None else adapter.project(embedded, weights)
    index = EntryVectorIndex.build(rows, row_entry, config.vectors)
    choice = _tune(
        Searcher(index, encoder, weights),
        embedded,
        row_entry,
        entries=entries,
        labelled=tuning_set,
        config=config,
        asked=_asked_by(reader),
    )
    index.save(folder)
    meta: dict[str, Any] = {
        "fingerprint": fingerprint,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "encoder": encoder.name,
        "asked_reader": None if reader is None else reader.name,
        "config": asdict(config),
        "index_kind": index.kind,
        "rows": len(texts),
        "encode_seconds": encode_seconds,
        "adapter_seconds": adapter_seconds,
        "threshold": choice.as_dict(),
        "entries": [asdict(entry) for entry in entries],
    }
    (folder / _META_FILE).write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")


def _tune(
    searcher: Searcher,
    embedded: embeddings.Vectors,
    row_entry: npt.NDArray[np.int64],
    *,
    entries: list[FaqEntry],
    labelled: knowledge.LabelledQueries,
    config: FaqBuildConfig,
    asked: Callable[[Sequence[str]], list[bool]],
) -> ThresholdChoice:
    number = {entry.id: position for position, entry in enumerate(entries)}
    in_scope = [(query, number[entry_id]) for query, entry_id in labelled.in_scope]
    out_of_scope = [q for q in labelled.out_of_scope if not scope.mentions_order_reference(q)]
    queries = [query for query, _ in in_scope] + out_of_scope
    best = [hits[0] for hits in searcher.search(queries, k=1)]
    sure = asked(queries)
    in_scope_obs = [
        Observation(score, entry == expected, was_asked)
        for (entry, score), (_, expected), was_asked in zip(best, in_scope, sure, strict=False)
    ]
    out_of_scope_obs = [
        Observation(score, False, was_asked)
        for (_, score), was_asked in zip(best[len(in_scope) :], sure[len(in_scope) :], strict=True)
    ]
    texts = [text for entry in entries for text in entry.texts]
    loo = [
        replace(observation, asked=was_asked)
        for observation, was_asked in zip(
            tuning.leave_one_out(embedded, row_entry, config.adapter), asked(texts), strict=True
        )
    ]
    return tuning.choose_threshold(
        loo,
        in_scope_obs,
        out_of_scope_obs,
        config.false_answer_weight,
        config.max_oos_answer_rate,
    )


def _asked_by(reader: AskedReader | None) -> Callable[[Sequence[str]], list[bool]]:
    if reader is None:
        return lambda texts: [False] * len(texts)
    return reader.asked


def load_faq_artefact(path: Path, encoder: Encoder, config: VectorIndexConfig) -> FaqArtefact:
    meta = json.loads((path / _META_FILE).read_text())
    entries = tuple(
        FaqEntry(**{**raw, "paraphrases": tuple(raw["paraphrases"])}) for raw in meta["entries"]
    )
    texts = frozenset(knowledge.normalise_text(text) for entry in entries for text in entry.texts)
    weights_file = path / _ADAPTER_FILE
    weights = np.load(weights_file) if weights_file.exists() else None
    return FaqArtefact(
        entries=entries,
        searcher=Searcher(EntryVectorIndex.load(path, config), encoder, weights),
        threshold=float(meta["threshold"]["threshold"]),
        asked_threshold=float(meta["threshold"]["asked_threshold"]),
        texts=texts,
    )
