"""Choosing the answer threshold from training paraphrases and the separate tuning set.

Observations (the held-out evaluation set is never used here):

- in scope, leave-one-out: every indexed text is matched against all *other* indexed texts, as if
  it were a shopper's question the index had not seen; its best other row gives the entry
  that would answer it and the score (cross-fitted when the adapter is on, see
  ``leave_one_out``);
- in scope, tuning set: ``faq_tuning.yml`` questions, written apart from the FAQ files and
  labelled with the entry that should answer them, searched against the full index;
- out of scope, tuning set: questions the FAQ must not answer (those naming an order number are
  left out: they are refused before any score is looked at).

For each candidate threshold ``t`` (midpoints between observed scores):

    cost(t) = (1 - correct answer rate) + weight * (wrong answer rate + OOS answer rate)

where the in-scope rates average the two in-scope sources with equal weight (the tuning questions
resemble unseen wording better than the paraphrases do, which were written alongside each other).
A wrong or out-of-scope answer misleads the shopper while "not sure" only costs a rephrase or a
hand-off, hence ``weight`` (``false_answer_weight``, 2 by default).

The product goal is at most 5% answers to out-of-scope questions. Measured on ~100 tuning
questions that rate has a standard error of about 2 points, so only thresholds whose tuning OOS
rate is at most ``max_oos_answer_rate`` (3% by default) are candidates. The threshold is the
middle of the lowest-cost candidates.

A second, lower threshold applies when the intent reader is sure the message is an FAQ question
(``Observation.asked``): its certainty is evidence the score alone does not carry. With the first
threshold fixed, the rule "answer when score >= threshold, or asked and score >= asked_threshold"
is scored with the same cost and the same OOS cap over all observations, and the highest of the
lowest-cost asked thresholds is kept (the smallest change the data supports: a wide plateau
would otherwise pull it far below any evidence).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from insight.embeddings import Vectors
from insight.faq.adapter import AdapterConfig, project, train_adapter

_LOO_CHUNK = 512


@dataclass(frozen=True)
class Observation:
    score: float
    correct: bool  # always False for out-of-scope questions
    asked: bool = False  # the intent reader was sure the question is an FAQ question


@dataclass(frozen=True)
class Rule:
    """When the FAQ answers: from ``threshold``, or from ``asked_threshold`` when asked."""

    threshold: float
    asked_threshold: float

    def answers(self, observation: Observation) -> bool:
        limit = self.asked_threshold if observation.asked else self.threshold
        return observation.score >= min(limit, self.threshold)


@dataclass(frozen=True)
class ThresholdChoice:
    threshold: float
    false_answer_weight: float
    max_oos_answer_rate: float
    cost: float
    loo_n: int
    tuning_in_scope_n: int
    tuning_out_of_scope_n: int
    correct_answer_rate: float
    wrong_answer_rate: float
    oos_answer_rate: float
    asked_threshold: float
    asked_n: int  # observations the intent reader was sure of (0: no reader, no second threshold)
    asked_cost: float
    asked_correct_answer_rate: float
    asked_wrong_answer_rate: float
    asked_oos_answer_rate: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def leave_one_out(
    vectors: Vectors,
    row_entry: npt.NDArray[np.int64],
    adapter: AdapterConfig | None = None,
    folds: int = 5,
) -> list[Observation]:
    """Each row's best match among the other rows: would it still reach its own entry?

    With an adapter, the rows being scored must not have trained it (they would look easier than
    a shopper's question), so it is cross-fitted: the rows are split into ``folds``, and each
    fold is scored through an adapter trained on the other folds.
    """
    if adapter is None:
        return _best_other_rows(vectors, vectors, np.arange(len(vectors)), row_entry)
    fold = np.random.default_rng(adapter.seed).integers(0, folds, len(vectors))
    observations: dict[int, Observation] = {}
    for number in range(folds):
        scored = np.flatnonzero(fold == number)
        training = fold != number
        weights = train_adapter(vectors[training], row_entry[training], adapter)
        projected = project(vectors, weights)
        found = _best_other_rows(projected[scored], projected, scored, row_entry)
        observations.update(zip(scored.tolist(), found, strict=True))
    return [observations[row] for row in range(len(vectors))]


def _best_other_rows(
    queries: Vectors,
    rows: Vectors,
    own_rows: npt.NDArray[np.int64],
    row_entry: npt.NDArray[np.int64],
) -> list[Observation]:
    observations: list[Observation] = []
    for start in range(0, len(queries), _LOO_CHUNK):
        chunk_rows = own_rows[start : start + _LOO_CHUNK]
        scores = queries[start : start + _LOO_CHUNK] @ rows.T
        scores[np.arange(len(chunk_rows)), chunk_rows] = -np.inf
        best = scores.argmax(axis=1)
        for offset, row in enumerate(best.tolist()):
            correct = bool(row_entry[row] == row_entry[chunk_rows[offset]])
            observations.append(Observation(float(scores[offset, row]), correct))
    return observations


def _rates(observations: Sequence[Observation], rule: Rule) -> tuple[float, float]:
    """(correct answer rate, wrong answer rate) under ``rule``."""
    if not observations:
        return 0.0, 0.0
    answered = [obs for obs in observations if rule.answers(obs)]
    correct = sum(obs.correct for obs in answered)
    return correct / len(observations), (len(answered) - correct) / len(observations)


def choose_threshold(
    loo: Sequence[Observation],
    tuning_in_scope: Sequence[Observation],
    tuning_out_of_scope: Sequence[Observation],
    false_answer_weight: float = 2.0,
    max_oos_answer_rate: float = 0.03,
) -> ThresholdChoice:
    groups = (loo, tuning_in_scope, tuning_out_of_scope)
    scores = sorted({obs.score for group in groups for obs in group})
    if not scores:
        raise ValueError("no observations to tune the threshold on")
    in_scope_groups = [group for group in (loo, tuning_in_scope) if group]

    def evaluate(rule: Rule) -> tuple[float, float, float, float]:
        rates = [_rates(group, rule) for group in in_scope_groups]
        correct = float(np.mean([rate[0] for rate in rates]))
        wrong = float(np.mean([rate[1] for rate in rates]))
        oos = _rates(tuning_out_of_scope, rule)[1]
        return (1 - correct) + false_answer_weight * (wrong + oos), correct, wrong, oos

    def allowed(rule: Rule) -> bool:
        return _rates(tuning_out_of_scope, rule)[1] <= max_oos_answer_rate

    # never empty: the last candidate is above every score
    general = [Rule(t, t) for t in _candidates(scores) if allowed(Rule(t, t))]
    costs = [evaluate(rule)[0] for rule in general]
    best = [rule for rule, cost in zip(general, costs, strict=True) if cost <= min(costs) + 1e-12]
    threshold = best[len(best) // 2].threshold
    cost, correct, wrong, oos = evaluate(Rule(threshold, threshold))

    asked_scores = sorted({obs.score for group in groups for obs in group if obs.asked})
    asked = [
        rule
        for t in _candidates(asked_scores)
        if t < threshold and allowed(rule := Rule(threshold, t))
    ] + [Rule(threshold, threshold)]
    asked_costs = [evaluate(rule)[0] for rule in asked]
    lowest = min(asked_costs)
    asked_threshold = max(
        rule.asked_threshold
        for rule, cost in zip(asked, asked_costs, strict=True)
        if cost <= lowest + 1e-12
    )
    asked_cost, asked_correct, asked_wrong, asked_oos = evaluate(Rule(threshold, asked_threshold))
    return ThresholdChoice(
        threshold=threshold,
        false_answer_weight=false_answer_weight,
        max_oos_answer_rate=max_oos_answer_rate,
        cost=cost,
        loo_n=len(loo),
        tuning_in_scope_n=len(tuning_in_scope),
        tuning_out_of_scope_n=len(tuning_out_of_scope),
        correct_answer_rate=correct,
        wrong_answer_rate=wrong,
        oos_answer_rate=oos,
        asked_threshold=asked_threshold,
        asked_n=sum(obs.asked for group in groups for obs in group),
        asked_cost=asked_cost,
        asked_correct_answer_rate=asked_correct,
        asked_wrong_answer_rate=asked_wrong,
        asked_oos_answer_rate=asked_oos,
    )


def _candidates(scores: Sequence[float]) -> list[float]:
    """Just below the lowest score, the midpoints between scores, just above the highest."""
    if not scores:
        return []
    middles = [(low + high) / 2 for low, high in itertools.pairwise(scores)]
    return [scores[0] - 1e-6, *middles, scores[-1] + 1e-6]
