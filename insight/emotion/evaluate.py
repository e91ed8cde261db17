"""Held-out evaluation of the emotion model (``python -m insight eval emotion``).

Emotions: the hand-written shopper messages of ``tests/data/emotion/test_messages.yaml``, refused
if any of them leaks from the training data. Polarity: the Amazon review sentences of the reviews
that ``amazon_split`` holds out, as negative / neutral / positive by their mean human valence
(≤ −0.5, between, ≥ +0.5: a mean that rounds to 0 is neutral). The model's class is the polarity
head's most likely class; VADER's, on the same sentences, uses its documented compound cut-offs
(≤ −0.05 negative, ≥ +0.05 positive).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped, unused-ignore]
    SentimentIntensityAnalyzer,
)

from insight.emotion import data
from insight.emotion.base import LABELS, EmotionDetector
from insight.emotion.data import POLARITY_CLASSES, Example, PolarityClass
from insight.emotion.detector import TransformerEmotionDetector
from insight.emotion.train import TrainConfig, build_emotion_model
from insight.results import update_results

GOAL_MACRO_F1 = 0.85
VADER_CUTOFF = 0.05


@dataclass(frozen=True)
class ClassScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class EmotionReport:
    macro_f1: float
    accuracy: float
    n: int
    per_class: dict[str, ClassScores]
    misses: tuple[tuple[Example, str], ...]  # (gold example, predicted label)

    def as_results(self) -> dict[str, Any]:
        return {
            "macro_f1": self.macro_f1,
            "accuracy": self.accuracy,
            "n": self.n,
            "per_class": {
                label: {"precision": s.precision, "recall": s.recall, "f1": s.f1, "n": s.support}
                for label, s in self.per_class.items()
            },
        }


@dataclass(frozen=True)
class PolarityReport:
    accuracy: float
    macro_f1: float
    vader_accuracy: float
    vader_macro_f1: float
    n: int

    def as_results(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "vader_accuracy": self.vader_accuracy,
            "vader_macro_f1": self.vader_macro_f1,
            "n": self.n,
            "classes": "valence <= -0.5 negative, >= 0.5 positive, else neutral",
        }


def evaluate_emotion(detector: EmotionDetector, examples: Sequence[Example]) -> EmotionReport:
    gold = [example.label for example in examples]
    predicted = [detector.detect(example.text).label for example in examples]
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=list(LABELS), zero_division=0
    )
    per_class: dict[str, ClassScores] = {
        label: ClassScores(float(precision[i]), float(recall[i]), float(f1[i]), int(support[i]))
        for i, label in enumerate(LABELS)
    }
    return EmotionReport(
        macro_f1=float(sum(scores.f1 for scores in per_class.values()) / len(LABELS)),
        accuracy=float(accuracy_score(gold, predicted)),
        n=len(examples),
        per_class=per_class,
        misses=tuple((e, p) for e, p in zip(examples, predicted, strict=True) if e.label != p),
    )


def vader_classes(texts: Sequence[str]) -> list[PolarityClass]:
    analyser = SentimentIntensityAnalyzer()
    classes: list[PolarityClass] = []
    for text in texts:
        compound = float(analyser.polarity_scores(text)["compound"])
        if compound >= VADER_CUTOFF:
            classes.append("positive")
        elif compound <= -VADER_CUTOFF:
            classes.append("negative")
        else:
            classes.append("neutral")
    return classes


def evaluate_polarity(
    classify: Callable[[Sequence[str]], Sequence[PolarityClass]],
    texts: Sequence[str],
    valences: Sequence[float],
) -> PolarityReport:
    """``classify`` against the valence classes, next to VADER on the same texts."""
    gold = [data.valence_class(valence) for valence in valences]
    ours, vader = list(classify(texts)), vader_classes(texts)
    labels = list(POLARITY_CLASSES)
    return PolarityReport(
        accuracy=float(accuracy_score(gold, ours)),
        macro_f1=float(f1_score(gold, ours, labels=labels, average="macro", zero_division=0)),
        vader_accuracy=float(accuracy_score(gold, vader)),
        vader_macro_f1=float(
            f1_score(gold, vader, labels=labels, average="macro", zero_division=0)
        ),
        n=len(texts),
    )


def model_polarity_classifier(
    detector: TransformerEmotionDetector,
) -> Callable[[Sequence[str]], list[PolarityClass]]:
    def classify(texts: Sequence[str]) -> list[PolarityClass]:
        _, probabilities = detector.predict_proba(texts)
        return [POLARITY_CLASSES[int(row.argmax())] for row in probabilities]

    return classify


def run_emotion_eval(
    cache_dir: Path, test_file: Path = data.TEST_FILE, log: Callable[[str], None] = print
) -> tuple[EmotionReport, PolarityReport]:
    """Build the model if needed, evaluate both tasks and record them under ``eval``."""
    config = TrainConfig()
    build = build_emotion_model(cache_dir, config, log=log)
    test_set = data.emotion_test_set(test_file)
    leaked = data.leaks(data.emotion_training_set(config.composed_per_label, config.seed), test_set)
    if leaked:
        raise ValueError(f"test messages overlap the training data: {leaked[:5]}")
    detector = TransformerEmotionDetector(model_dir=build.path)
    emotion = evaluate_emotion(detector, test_set)
    _, amazon_test = data.amazon_split(cache_dir)
    polarity = evaluate_polarity(
        model_polarity_classifier(detector), list(amazon_test["text"]), list(amazon_test["valence"])
    )
    update_results("eval", "emotion", {**emotion.as_results(), "model": build.path.name})
    update_results("eval", "polarity", {**polarity.as_results(), "model": build.path.name})
    return emotion, polarity


def report_tables(emotion: EmotionReport, polarity: PolarityReport) -> list[Table]:
    emotions = Table(title=f"emotion on {emotion.n} held-out shopper messages")
    for column in ("label", "precision", "recall", "F1", "n"):
        emotions.add_column(column, justify="left" if column == "label" else "right")
    for label, scores in emotion.per_class.items():
        emotions.add_row(
            label,
            f"{scores.precision:.3f}",
            f"{scores.recall:.3f}",
            f"{scores.f1:.3f}",
            str(scores.support),
        )
    emotions.add_row("macro", "", "", f"{emotion.macro_f1:.3f}", f"goal ≥ {GOAL_MACRO_F1}")
    polarities = Table(title=f"polarity on {polarity.n} held-out Amazon review sentences")
    for column in ("model", "accuracy", "macro-F1"):
        polarities.add_column(column, justify="left" if column == "model" else "right")
    polarities.add_row("ShopSense", f"{polarity.accuracy:.3f}", f"{polarity.macro_f1:.3f}")
    polarities.add_row("VADER", f"{polarity.vader_accuracy:.3f}", f"{polarity.vader_macro_f1:.3f}")
    return [emotions, polarities]
