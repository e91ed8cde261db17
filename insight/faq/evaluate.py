"""FAQ answer quality on held-out data: recall@1/3 and MRR on paraphrases the index never saw,
and how often out-of-scope questions get an answer anyway.

Ranking metrics use ``search`` (the full ranking, so MRR is exact); the answer rates use
``answer_from``, i.e. the tuned thresholds (the asked one where the index's intent reader is sure)
and the order-number rule, exactly as the assistant would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from insight.embeddings import Encoder
from insight.faq.index import FaissFaqIndex
from insight.faq.knowledge import load_labelled_queries
from insight.faq.scope import mentions_order_reference
from insight.results import update_results
from insight.settings import PROJECT_ROOT, Settings

DEFAULT_DATA_DIR = PROJECT_ROOT / "tests" / "data" / "faq"
GOALS = {"recall_at_1": 0.90, "recall_at_3": 0.97, "oos_false_answer_rate": 0.05}


@dataclass(frozen=True)
class FaqMiss:
    query: str
    expected: str
    got: str
    rank: int


@dataclass(frozen=True)
class FaqFalseAnswer:
    query: str
    entry_id: str
    score: float


@dataclass(frozen=True)
class FaqEvalReport:
    recall_at_1: float
    recall_at_3: float
    mrr: float
    oos_false_answer_rate: float
    n: int
    n_oos: int
    threshold: float
    asked_threshold: float
    answered_correct_rate: float
    answered_wrong_rate: float
    oos_refused_by_order_rule: int
    entries: int
    index_kind: str
    artefact: str
    misses: tuple[FaqMiss, ...]
    false_answers: tuple[FaqFalseAnswer, ...]

    def as_results(self) -> dict[str, Any]:
        """The ``eval-results`` section (without the per-question lists)."""
        return {
            "recall_at_1": self.recall_at_1,
            "recall_at_3": self.recall_at_3,
            "mrr": self.mrr,
            "oos_false_answer_rate": self.oos_false_answer_rate,
            "n": self.n,
            "n_oos": self.n_oos,
            "threshold": self.threshold,
            "asked_threshold": self.asked_threshold,
            "answered_correct_rate": self.answered_correct_rate,
            "answered_wrong_rate": self.answered_wrong_rate,
            "oos_refused_by_order_rule": self.oos_refused_by_order_rule,
            "entries": self.entries,
            "index": self.index_kind,
            "artefact": self.artefact,
        }


def evaluate_faq(
    index: FaissFaqIndex, heldout: Sequence[tuple[str, str]], out_of_scope: Sequence[str]
) -> FaqEvalReport:
    leaked = [query for query, _ in heldout if index.indexes_text(query)]
    leaked += [query for query in out_of_scope if index.indexes_text(query)]
    if leaked:
        raise ValueError(f"held-out questions are indexed, so not held out: {leaked[:5]}")
    if not heldout or not out_of_scope:
        raise ValueError("evaluation needs held-out in-scope and out-of-scope questions")
    everything = len(index.entries)
    queries = [query for query, _ in heldout]
    rankings = index.search_many([*queries, *out_of_scope], k=everything)
    asked = [False] * len(rankings)
    if index.reader is not None:
        asked = index.reader.asked([*queries, *out_of_scope])
    reciprocal, top1, top3, correct, wrong = 0.0, 0, 0, 0, 0
    misses: list[FaqMiss] = []
    for (query, expected), hits, was_asked in zip(heldout, rankings, asked, strict=False):
        ids = [hit.entry_id for hit in hits]
        rank = ids.index(expected) + 1 if expected in ids else 0
        reciprocal += 1 / rank if rank else 0.0
        top1 += rank == 1
        top3 += 0 < rank <= 3
        answer = index.answer_from(query, hits, was_asked)
        correct += answer is not None and answer.entry_id == expected
        wrong += answer is not None and answer.entry_id != expected
        if rank != 1:
            misses.append(FaqMiss(query, expected, ids[0], rank))
    false_answers = []
    oos_rankings = zip(out_of_scope, rankings[len(heldout) :], asked[len(heldout) :], strict=True)
    for query, hits, was_asked in oos_rankings:
        answer = index.answer_from(query, hits, was_asked)
        if answer is not None:
            false_answers.append(FaqFalseAnswer(query, answer.entry_id, answer.score))
    n = len(heldout)
    return FaqEvalReport(
        recall_at_1=top1 / n,
        recall_at_3=top3 / n,
        mrr=reciprocal / n,
        oos_false_answer_rate=len(false_answers) / len(out_of_scope),
        n=n,
        n_oos=len(out_of_scope),
        threshold=index.threshold,
        asked_threshold=index.asked_threshold,
        answered_correct_rate=correct / n,
        answered_wrong_rate=wrong / n,
        oos_refused_by_order_rule=sum(mentions_order_reference(q) for q in out_of_scope),
        entries=everything,
        index_kind=index.build_info.index_kind,
        artefact=index.build_info.path.name,
        misses=tuple(misses),
        false_answers=tuple(false_answers),
    )


def run_faq_eval(
    settings: Settings, data_dir: Path = DEFAULT_DATA_DIR, encoder: Encoder | None = None
) -> FaqEvalReport:
    """Evaluate the FAQ of ``settings.knowledge_dir`` and record it under ``eval`` → ``faq``."""
    index = FaissFaqIndex.from_settings(settings, encoder)
    known = {entry.id for entry in index.entries}
    heldout = load_labelled_queries(data_dir / "heldout.yml", known).in_scope
    out_of_scope = load_labelled_queries(data_dir / "out_of_scope.yml", known).out_of_scope
    report = evaluate_faq(index, heldout, out_of_scope)
    update_results("eval", "faq", report.as_results())
    return report


def report_table(report: FaqEvalReport) -> Table:
    table = Table(title=f"FAQ retrieval ({report.entries} entries, {report.index_kind} index)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("goal", justify="right")
    for key, value in report.as_results().items():
        if isinstance(value, float):
            goal = GOALS.get(key)
            met = goal is None or (value <= goal if key.startswith("oos") else value >= goal)
            shown = f"{value:.3f}" if met else f"[red]{value:.3f}[/red]"
            relation = "≤" if key.startswith("oos") else "≥"
            table.add_row(key, shown, f"{relation} {goal:.2f}" if goal is not None else "")
        else:
            table.add_row(key, str(value), "")
    return table


def errors_table(report: FaqEvalReport) -> Table:
    """Held-out questions not ranked first, and out-of-scope questions that got an answer."""
    table = Table(title="FAQ errors")
    table.add_column("kind")
    table.add_column("question")
    table.add_column("expected")
    table.add_column("got")
    for miss in report.misses:
        table.add_row(f"rank {miss.rank}", miss.query, miss.expected, miss.got)
    for false in report.false_answers:
        table.add_row("answered OOS", false.query, "-", f"{false.entry_id} ({false.score:.2f})")
    return table
