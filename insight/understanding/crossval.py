"""k-fold cross-validation of the intent head on the training data (``eval intent-folds``).

The build keeps one stable 15% of each intent aside to fit the temperature and threshold; this
asks how the head does on every example once: each fold trains the whole model (emotion and
polarity too, since the tasks share the fine-tuned layers) without that fold's intent examples
and scores them by the top intent, with no threshold (the threshold would be fitted on the
very fold it is scored on). A figure on the team's own words: it says how consistent the data
is, not how outsiders are understood (that is ``eval understanding``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from sklearn.metrics import accuracy_score, f1_score

from insight.emotion import data, model
from insight.emotion.train import TrainConfig, Trained, train
from insight.understanding import nlu_data
from insight.understanding.nlu_data import LabelledText


def intent_folds(
    examples: Sequence[LabelledText], folds: int
) -> list[tuple[list[LabelledText], list[LabelledText]]]:
    """(training, held-out) pairs: each example is held out in exactly one fold, chosen by a stable
    hash of its text, so each intent is spread evenly over the folds."""
    if folds < 2:
        raise ValueError("cross-validation needs at least two folds")
    fold_of = [
        min(int(data.stable_fraction(data.normalise(e.text)) * folds), folds - 1) for e in examples
    ]
    return [
        (
            [e for e, f in zip(examples, fold_of, strict=True) if f != fold],
            [e for e, f in zip(examples, fold_of, strict=True) if f == fold],
        )
        for fold in range(folds)
    ]


@dataclass(frozen=True)
class FoldScore:
    n: int
    accuracy: float
    macro_f1: float


def score_fold(trained: Trained, held_out: Sequence[LabelledText], max_length: int) -> FoldScore:
    """Top-intent accuracy and macro-F1 of a trained network on the examples it did not see."""
    index = {name: i for i, name in enumerate(trained.intents)}
    predicted: list[int] = []
    with torch.inference_mode():
        for start in range(0, len(held_out), 64):
            texts = [e.text for e in held_out[start : start + 64]]
            batch = model.tokenize(trained.tokenizer, texts, max_length)
            predicted += trained.net(**batch).intent.argmax(dim=-1).tolist()
    gold = [index[e.label] for e in held_out]
    return FoldScore(
        n=len(gold),
        accuracy=round(float(accuracy_score(gold, predicted)), 4),
        macro_f1=round(
            float(
                f1_score(
                    gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0
                )
            ),
            4,
        ),
    )


def cross_validate_intents(
    cache_dir: Path, folds: int = 5, log: Callable[[str], None] = print
) -> dict[str, object]:
    """Train ``folds`` models and pool their held-out scores (mean over folds, and each fold)."""
    config = TrainConfig()
    emotion_examples = data.emotion_training_set(config.composed_per_label, config.seed)
    polarity_examples = data.polarity_training_set(cache_dir, config.polarity_sources, config.seed)
    examples = nlu_data.read_nlu_examples(nlu_data.nlu_files())
    scores = []
    for number, (training, held_out) in enumerate(intent_folds(examples, folds), start=1):
        trained = train(config, emotion_examples, polarity_examples, training, log=lambda _: None)
        scores.append(score_fold(trained, held_out, config.max_length))
        log(f"fold {number}/{folds}: {scores[-1]}")
    return {
        "folds": folds,
        "n": sum(score.n for score in scores),
        "accuracy": round(sum(s.accuracy for s in scores) / folds, 4),
        "macro_f1": round(sum(s.macro_f1 for s in scores) / folds, 4),
        "per_fold": [score.__dict__ for score in scores],
        "source": "data/nlu (the team's own training examples), no threshold",
    }
