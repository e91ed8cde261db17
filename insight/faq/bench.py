"""FAQ query latency at 1k / 10k / 100k entries (``make bench`` → ``faq_query_ms``).

Real FAQs are small, so the large sizes are synthetic: one random unit vector per entry (the
real FAQ has about nine texts per entry, so 100k entries here is 100k indexed rows). A query is
timed end to end as the assistant runs it: the real sentence encoder embeds a shopper question,
the FAQ adapter (a 384×384 matrix) projects it, and FAISS finds the top 3 entries. Where the
size picks the approximate (HNSW) index, its top-1 agreement with exact search is measured too,
on queries that are noisy copies of stored vectors (random vectors have no real neighbours for a
shopper question to find).

Torch and FAISS run on ``threads`` threads (1 by default): a chat turn embeds one short question,
where extra threads gain little, and on a busy CPU their spin-waiting costs a lot (measured on the
shared 2-core machine: MiniLM 30 ms with 1 thread against 250 ms with 2; a 10k-row FAISS search
0.7 ms against 28 ms). The action server should run with ``OMP_NUM_THREADS=1`` for the same reason.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt
import torch
from rich.table import Table

from insight.embeddings import Encoder, default_encoder, normalise_rows
from insight.faq.adapter import project
from insight.faq.vectors import EntryVectorIndex, VectorIndexConfig
from insight.results import update_results

DEFAULT_SIZES = (1_000, 10_000, 100_000)
_QUESTIONS = (
    "how long does delivery to norway take",
    "can i send back headphones i already opened",
    "which payment methods do you take",
    "my voucher code is not accepted",
    "how do i delete my account and all my data",
    "is there a warranty on laptops",
    "do you ship for free",
    "how should i clean an oled screen",
)


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def bench_size(
    entries: int,
    encoder: Encoder,
    config: VectorIndexConfig,
    queries: int = 200,
    seed: int = 0,
) -> dict[str, Any]:
    """Build a synthetic index of ``entries`` and time ``queries`` end-to-end searches."""
    rng = np.random.default_rng(seed)
    stored = normalise_rows(rng.standard_normal((entries, encoder.dim), dtype=np.float32))
    started = time.perf_counter()
    index = EntryVectorIndex.build(stored, np.arange(entries, dtype=np.int64), config)
    build_s = time.perf_counter() - started
    adapter = np.eye(encoder.dim, dtype=np.float32)  # same cost as a trained one
    total_ms, search_ms = [], []
    for number in range(queries + 10):  # the first 10 warm caches up and are not counted
        t0 = time.perf_counter()
        vector = project(encoder.encode([_QUESTIONS[number % len(_QUESTIONS)]]), adapter)
        t1 = time.perf_counter()
        index.search(vector, 3)
        t2 = time.perf_counter()
        if number >= 10:
            total_ms.append((t2 - t0) * 1000)
            search_ms.append((t2 - t1) * 1000)
    row: dict[str, Any] = {
        "entries": entries,
        "index": index.kind,
        "p50": _percentile(total_ms, 50),
        "p95": _percentile(total_ms, 95),
        "search_p50": _percentile(search_ms, 50),
        "search_p95": _percentile(search_ms, 95),
        "build_s": build_s,
    }
    if index.kind != "flat":
        row["recall_at_1_vs_exact"] = _agreement_with_exact(stored, index, rng)
    return row


def _agreement_with_exact(
    stored: npt.NDArray[np.float32], index: EntryVectorIndex, rng: np.random.Generator
) -> float:
    targets = rng.choice(len(stored), size=min(500, len(stored)), replace=False)
    noise = rng.standard_normal((len(targets), stored.shape[1]), dtype=np.float32) * 0.04
    queries = normalise_rows(stored[targets] + noise)
    exact = EntryVectorIndex.build(
        stored, np.arange(len(stored), dtype=np.int64), VectorIndexConfig(len(stored))
    )
    approximate_top = [hits[0][0] for hits in index.search(queries, 1)]
    exact_top = [hits[0][0] for hits in exact.search(queries, 1)]
    return float(np.mean([a == b for a, b in zip(approximate_top, exact_top, strict=True)]))


def run_faq_bench(
    sizes: Sequence[int] = DEFAULT_SIZES,
    *,
    queries: int = 200,
    encoder: Encoder | None = None,
    config: VectorIndexConfig | None = None,
    record: bool = True,
    threads: int = 1,
) -> list[dict[str, Any]]:
    """Time every size and, when ``record``, write ``bench`` → ``faq_query_ms``."""
    torch.set_num_threads(threads)
    faiss.omp_set_num_threads(threads)
    encoder = encoder or default_encoder()
    encoder.warm_up()
    rows = [bench_size(size, encoder, config or VectorIndexConfig(), queries) for size in sizes]
    for row in rows:
        row["threads"] = threads
    if record:
        update_results("bench", "faq_query_ms", rows)
    return rows


def bench_table(rows: Sequence[dict[str, Any]]) -> Table:
    table = Table(title="FAQ query latency (ms; encode + search, top 3)")
    columns = ("entries", "index", "p50", "p95", "search_p50", "build_s", "recall_at_1_vs_exact")
    for column in columns:
        table.add_column(column, justify="right")
    for row in rows:
        cells = [row.get(column, "") for column in columns]
        table.add_row(*(f"{cell:,.3f}" if isinstance(cell, float) else str(cell) for cell in cells))
    return table
