"""FAISS rows (one per embedded text) grouped into entries; an entry scores as its best row.

Index choice: below ``exact_max_rows`` rows an exact ``IndexFlatIP`` (brute force inner product:
on unit vectors that is cosine similarity). A shop FAQ of a few hundred entries with ~7 texts each
is a few thousand rows, searched exactly in well under a millisecond. Above the limit an
``IndexHNSWFlat`` (inner-product metric): unlike IVF it needs no training step and no choice of
cluster count that depends on the data size, it stays accurate on small and uneven collections,
and its query cost grows roughly with log(rows). It keeps the full vectors, so memory is the flat
index plus ``2 * hnsw_m`` neighbour ids per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import faiss
import numpy as np
import numpy.typing as npt

from insight.embeddings import Vectors

IndexKind = Literal["flat", "hnsw"]
_INDEX_FILE = "vectors.faiss"
_ROWS_FILE = "row_entry.npy"


@dataclass(frozen=True)
class VectorIndexConfig:
    """Above ``exact_max_rows`` rows, HNSW with these parameters replaces the exact index.

    Measured with one thread on the shared 2-core machine (``insight.faq.bench``): exact search
    over 10,000 rows takes 2.2 ms, so the 50,000-row limit (about 5,000 FAQ entries) keeps it
    near 10 ms; HNSW over 100,000 rows answers in 7.8 ms with 99% top-1 agreement with exact
    search. ``hnsw_m=16`` or ``hnsw_ef_construction=40`` build faster but agreed only 73% / 96%.
    """

    exact_max_rows: int = 50_000
    hnsw_m: int = 32
    hnsw_ef_construction: int = 80
    hnsw_ef_search: int = 128

    def kind_for(self, rows: int) -> IndexKind:
        return "flat" if rows <= self.exact_max_rows else "hnsw"


class EntryVectorIndex:
    """Searches rows and ranks entries by their best-scoring row (max over paraphrases)."""

    def __init__(
        self, index: faiss.Index, row_entry: npt.NDArray[np.int64], kind: IndexKind
    ) -> None:
        self._index = index
        self._row_entry = row_entry
        self.kind: IndexKind = kind

    @classmethod
    def build(
        cls, vectors: Vectors, row_entry: npt.NDArray[np.int64], config: VectorIndexConfig
    ) -> EntryVectorIndex:
        rows, dim = vectors.shape
        if rows != len(row_entry):
            raise ValueError("one entry number per vector row is required")
        kind = config.kind_for(rows)
        index: faiss.Index
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        else:
            index = faiss.IndexHNSWFlat(dim, config.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = config.hnsw_ef_construction
            index.hnsw.efSearch = config.hnsw_ef_search
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, np.asarray(row_entry, dtype=np.int64), kind)

    @property
    def rows(self) -> int:
        return int(self._index.ntotal)

    @property
    def entries(self) -> int:
        return int(self._row_entry.max()) + 1 if len(self._row_entry) else 0

    def search(self, queries: Vectors, k: int) -> list[list[tuple[int, float]]]:
        """For each query, up to ``k`` ``(entry number, score)`` pairs, best first.

        Rows come back best first, so the first ``k`` distinct entries among them are the top
        ``k`` entries by best row. The row window grows until it holds ``k`` entries.
        """
        k = min(k, self.entries)
        results: list[list[tuple[int, float]]] = [[] for _ in range(len(queries))]
        pending = list(range(len(queries)))
        window = min(self.rows, max(4 * k, 16))
        while pending and k > 0:
            scores, rows = self._index.search(np.ascontiguousarray(queries[pending]), window)
            still_short = []
            for position, query in enumerate(pending):
                results[query] = self._first_entries(scores[position], rows[position], k)
                if len(results[query]) < k and window < self.rows:
                    still_short.append(query)
            pending = still_short
            window = min(self.rows, window * 4)
        return results

    def _first_entries(
        self, scores: npt.NDArray[np.float32], rows: npt.NDArray[np.int64], k: int
    ) -> list[tuple[int, float]]:
        found: dict[int, float] = {}
        for score, row in zip(scores.tolist(), rows.tolist(), strict=True):
            if row < 0:
                break
            entry = int(self._row_entry[row])
            if entry not in found:
                found[entry] = float(score)
                if len(found) == k:
                    break
        return list(found.items())

    def save(self, folder: Path) -> None:
        faiss.write_index(self._index, str(folder / _INDEX_FILE))
        np.save(folder / _ROWS_FILE, self._row_entry)

    @classmethod
    def load(cls, folder: Path, config: VectorIndexConfig) -> EntryVectorIndex:
        index = faiss.read_index(str(folder / _INDEX_FILE))
        row_entry = np.load(folder / _ROWS_FILE)
        if isinstance(index, faiss.IndexHNSWFlat):
            index.hnsw.efSearch = config.hnsw_ef_search
            return cls(index, row_entry, "hnsw")
        return cls(index, row_entry, "flat")
