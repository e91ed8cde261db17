"""The shared reader on text the team did not write (``python -m insight eval understanding``).

Every other figure is measured on words the team wrote, so wording the team favours can lift it
without anyone meaning to. This one reads messages written by others
(``tests/data/outside/``: Bitext's customer-support corpus and Rasa's starter examples, labelled
by mapping their own intents onto ours) and Amazon review sentences rated by strangers, with the
reading the gateway makes: an intent below the model's threshold is an unsure reading, which the
assistant treats as not understood (``nlu_fallback``), so it counts as wrong here.

The team's own held-out NLU set (``tests/nlu/heldout.yml``) is read the same way and reported
next to it, so the two figures differ only in who wrote the messages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, get_args

import yaml  # type: ignore[import-untyped, unused-ignore]
from rich.table import Table
from sklearn.metrics import accuracy_score, precision_recall_fscore_support

from insight.emotion import data
from insight.emotion.base import EmotionLabel
from insight.emotion.data import LABEL_POLARITY, Example, PolarityClass
from insight.emotion.evaluate import ClassScores
from insight.emotion.train import TrainConfig, build_emotion_model
from insight.results import update_results
from insight.settings import PROJECT_ROOT
from insight.support.mood import tone
from insight.understanding.contracts import Reading
from insight.understanding.message import MessageUnderstanding, VectorSearch
from insight.understanding.nlu_data import HELDOUT_FILE, nlu_files, read_nlu_examples
from insight.understanding.reader import TransformerUnderstander

OUTSIDE_DIR = PROJECT_ROOT / "tests" / "data" / "outside"
OUTSIDE_FILES = (OUTSIDE_DIR / "bitext_intents.yml", OUTSIDE_DIR / "rasa_starter_intents.yml")
FALLBACK = "nlu_fallback"

# Outside messages that ask something without feeling anything about it (Bitext tags
# offensive wording W; those messages are left out of the neutral class).
NEUTRAL_INTENTS = frozenset({"check_order_status", "change_address", "refund_status", "ask_faq"})
OFFENSIVE_TAG = "W"
# Review sentences this far from 0 on the −4…+4 valence scale are clearly upset or positive.
CLEAR_VALENCE = 1.5

CoarseEmotion = Literal["neutral", "upset", "positive"]
COARSE_EMOTIONS: tuple[CoarseEmotion, ...] = get_args(CoarseEmotion)
_COARSE_OF_POLARITY: Mapping[PolarityClass, CoarseEmotion] = {
    "negative": "upset",
    "neutral": "neutral",
    "positive": "positive",
}


def coarse_emotion(label: EmotionLabel) -> CoarseEmotion:
    """Our emotion label as neutral / upset / positive, by the polarity the training gives it
    (confusion is neutral: it is not a feeling about the shop)."""
    return _COARSE_OF_POLARITY[LABEL_POLARITY[label]]


# ------------------------------------------------------------------------------------ the data


@dataclass(frozen=True)
class OutsideMessage:
    """A message someone else wrote; ``intent`` is ours, ``source_intent`` the author's label,
    ``tags`` the author's language tags (Bitext's letters; empty where there are none)."""

    text: str
    intent: str
    source_intent: str
    tags: str = ""


@dataclass(frozen=True)
class OutsideSet:
    name: str
    source: str
    licence: str
    messages: tuple[OutsideMessage, ...]


def load_outside_set(path: Path) -> OutsideSet:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
        raise ValueError(f"{path}: expected source, licence and a list of messages")
    messages = []
    for entry in document["messages"]:
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(key), str) and entry[key] for key in ("text", "intent")
        ):
            raise ValueError(f"{path}: each message needs a text and an intent: {entry!r}")
        messages.append(
            OutsideMessage(
                entry["text"],
                entry["intent"],
                str(entry.get("source_intent", entry["intent"])),
                str(entry.get("tags", "")),
            )
        )
    return OutsideSet(path.stem, str(document["source"]), str(document["licence"]), tuple(messages))


def training_leaks(messages: Iterable[OutsideMessage]) -> list[str]:
    """Outside messages that repeat something the model trains on (intent or emotion data)."""
    config = TrainConfig()
    training = [Example(e.text, e.label) for e in read_nlu_examples(nlu_files())]
    training += data.emotion_training_set(config.composed_per_label, config.seed)
    return data.leaks(training, [Example(m.text, m.intent) for m in messages])


@dataclass(frozen=True)
class EmotionText:
    text: str
    label: CoarseEmotion


def neutral_texts(messages: Iterable[OutsideMessage]) -> list[EmotionText]:
    return [
        EmotionText(m.text, "neutral")
        for m in messages
        if m.intent in NEUTRAL_INTENTS and OFFENSIVE_TAG not in m.tags
    ]


def review_texts(texts: Sequence[str], valences: Sequence[float]) -> list[EmotionText]:
    """Review sentences with a clear mean valence: upset at −1.5 or below, positive at +1.5 or
    above; the ones in between say too little either way and are left out."""
    chosen = []
    for text, valence in zip(texts, valences, strict=True):
        if valence <= -CLEAR_VALENCE:
            chosen.append(EmotionText(text, "upset"))
        elif valence >= CLEAR_VALENCE:
            chosen.append(EmotionText(text, "positive"))
    return chosen


# --------------------------------------------------------------------------------- the scoring


def intent_read(reading: Reading) -> str:
    """The intent the assistant acts on: the top one, or ``nlu_fallback`` when it is unsure."""
    top = reading.intent
    return top.name if top is not None and reading.sure else FALLBACK


@dataclass(frozen=True)
class Confusion:
    gold: str
    predicted: str
    count: int
    example: str


def confusions(
    gold: Sequence[str],
    predicted: Sequence[str],
    texts: Sequence[str],
    shown: Sequence[str] | None = None,
) -> tuple[Confusion, ...]:
    """Each mistake (gold != predicted) as gold → ``shown`` (default: the prediction) with its
    count and its first message, commonest first."""
    counts: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}
    for g, p, text, s in zip(gold, predicted, texts, shown or predicted, strict=True):
        if g != p:
            counts[(g, s)] += 1
            examples.setdefault((g, s), text)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(Confusion(g, s, count, examples[(g, s)]) for (g, s), count in ordered)


@dataclass(frozen=True)
class LabelReport:
    macro_f1: float
    accuracy: float
    n: int
    per_class: dict[str, ClassScores]
    confusion: tuple[Confusion, ...]

    def as_results(self) -> dict[str, Any]:
        return {
            "macro_f1": round(self.macro_f1, 4),
            "accuracy": round(self.accuracy, 4),
            "n": self.n,
            "per_class": {
                label: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "n": s.support,
                }
                for label, s in self.per_class.items()
            },
            "confusion": [c.__dict__ for c in self.confusion],
        }


def score_labels(
    gold: Sequence[str],
    predicted: Sequence[str],
    texts: Sequence[str],
    labels: Sequence[str] | None = None,
    shown: Sequence[str] | None = None,
) -> LabelReport:
    """Per-class scores and macro-F1 over ``labels`` (default: the gold labels present, so a
    prediction outside them, such as ``nlu_fallback``, only costs recall). The confusion shows
    ``shown`` for each mistake when given (the fine emotion label behind a coarse one)."""
    classes = list(labels) if labels is not None else sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=classes, zero_division=0
    )
    per_class = {
        label: ClassScores(float(precision[i]), float(recall[i]), float(f1[i]), int(support[i]))
        for i, label in enumerate(classes)
    }
    return LabelReport(
        macro_f1=sum(s.f1 for s in per_class.values()) / len(classes) if classes else 0.0,
        accuracy=float(accuracy_score(gold, predicted)) if gold else 0.0,
        n=len(gold),
        per_class=per_class,
        confusion=confusions(gold, predicted, texts, shown),
    )


def false_upset_rate(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """The share of neutral messages read as upset."""
    read = [p for g, p in zip(gold, predicted, strict=True) if g == "neutral"]
    return sum(p == "upset" for p in read) / len(read) if read else 0.0


def upset_tone_rate(gold: Sequence[str], readings: Sequence[Reading]) -> float:
    """The share of neutral messages the assistant would answer in its apologetic tone: what a
    calm shopper notices of a false upset reading (anxiety or sadness leave the tone calm)."""
    read = [r for g, r in zip(gold, readings, strict=True) if g == "neutral"]
    return sum(tone(r.emotion) == "upset" for r in read) / len(read) if read else 0.0


@dataclass(frozen=True)
class OutsideReport:
    intent_outside: LabelReport
    fallback_rate: float  # share of outside messages read as unsure
    by_source: dict[str, LabelReport]
    intent_heldout: LabelReport
    emotion_outside: LabelReport
    false_upset_rate: float
    upset_tone_rate: float
    source: str


class BatchReader(Protocol):
    def read_many(self, texts: Sequence[str]) -> list[Reading]: ...


def evaluate_outside(
    understander: BatchReader,
    sets: Sequence[OutsideSet],
    heldout: Sequence[tuple[str, str]],
    emotion_texts: Sequence[EmotionText],
) -> OutsideReport:
    """Read every text once and score intents (outside and team held-out) and coarse emotions.

    ``heldout`` is (text, intent) pairs written by the team, ``emotion_texts`` the texts written
    by others with their coarse emotion."""
    messages = [m for s in sets for m in s.messages]
    texts = [m.text for m in messages] + [t for t, _ in heldout] + [e.text for e in emotion_texts]
    readings = understander.read_many(texts)
    outside = readings[: len(messages)]
    team = readings[len(messages) : len(messages) + len(heldout)]
    felt = readings[len(messages) + len(heldout) :]

    predicted = [intent_read(r) for r in outside]
    by_source = {}
    start = 0
    for one in sets:
        part = slice(start, start + len(one.messages))
        by_source[one.name] = score_labels(
            [m.intent for m in one.messages], predicted[part], [m.text for m in one.messages]
        )
        start += len(one.messages)

    gold_emotions = [e.label for e in emotion_texts]
    fine = [r.emotion.label for r in felt]
    coarse = [coarse_emotion(label) for label in fine]
    return OutsideReport(
        intent_outside=score_labels(
            [m.intent for m in messages], predicted, [m.text for m in messages]
        ),
        fallback_rate=sum(p == FALLBACK for p in predicted) / len(predicted) if predicted else 0.0,
        by_source=by_source,
        intent_heldout=score_labels(
            [i for _, i in heldout], [intent_read(r) for r in team], [t for t, _ in heldout]
        ),
        emotion_outside=score_labels(
            gold_emotions, coarse, [e.text for e in emotion_texts], COARSE_EMOTIONS, fine
        ),
        false_upset_rate=false_upset_rate(gold_emotions, coarse),
        upset_tone_rate=upset_tone_rate(gold_emotions, felt),
        source="; ".join(f"{s.source} [{s.licence}], n={len(s.messages)}" for s in sets),
    )


def run_outside_eval(
    cache_dir: Path,
    model_dir: Path | None = None,
    files: Sequence[Path] = OUTSIDE_FILES,
    log: Callable[[str], None] = print,
    faq: VectorSearch | None = None,
) -> OutsideReport:
    """Score the understanding model (built if needed, or the one in ``model_dir``) and record
    ``intent_outside``, ``intent_heldout_reader`` and ``emotion_outside`` under ``eval``. With
    ``faq``, messages are read as the gateway reads them, FAQ evidence included."""
    sets = [load_outside_set(path) for path in files]
    leaked = training_leaks(m for s in sets for m in s.messages)
    if leaked:
        raise ValueError(f"outside messages overlap the training data: {leaked[:5]}")
    folder = model_dir or build_emotion_model(cache_dir, log=log).path
    _, amazon_test = data.amazon_split(cache_dir)
    emotion_texts = neutral_texts(m for s in sets for m in s.messages) + review_texts(
        list(amazon_test["text"]), list(amazon_test["valence"])
    )
    heldout = [(e.text, e.label) for e in read_nlu_examples(HELDOUT_FILE)]
    understanding = MessageUnderstanding(
        TransformerUnderstander(model_dir=folder, threads=None), faq
    )
    report = evaluate_outside(understanding, sets, heldout, emotion_texts)
    reader = (
        "the gateway's reading: shared encoder"
        + (" and FAQ evidence" if faq is not None else "")
        + "; unsure counts as nlu_fallback"
    )
    update_results(
        "eval",
        "intent_outside",
        {
            **report.intent_outside.as_results(),
            "fallback_rate": round(report.fallback_rate, 4),
            "by_source": {
                name: {"n": r.n, "accuracy": round(r.accuracy, 4), "macro_f1": round(r.macro_f1, 4)}
                for name, r in report.by_source.items()
            },
            "source": report.source,
            "reader": reader,
            "model": folder.name,
        },
    )
    update_results(
        "eval",
        "intent_heldout_reader",
        {
            **report.intent_heldout.as_results(),
            "source": "tests/nlu/heldout.yml (written by the team, never trained on)",
            "reader": reader,
            "model": folder.name,
        },
    )
    update_results(
        "eval",
        "emotion_outside",
        {
            **report.emotion_outside.as_results(),
            "false_upset_rate": round(report.false_upset_rate, 4),
            "upset_tone_rate_on_neutral": round(report.upset_tone_rate, 4),
            "source": (
                "neutral: outside messages of intents "
                f"{', '.join(sorted(NEUTRAL_INTENTS))} without offensive tag; upset/positive: "
                "held-out VADER Amazon review sentences, mean valence <= -1.5 / >= +1.5"
            ),
            "classes": "anger, frustration, anxiety, sadness = upset; gratitude = positive; "
            "neutral, confusion = neutral",
            "model": folder.name,
        },
    )
    return report


# --------------------------------------------------------------------------------- the tables


def _class_table(title: str, report: LabelReport) -> Table:
    table = Table(title=title)
    for column in ("class", "precision", "recall", "F1", "n"):
        table.add_column(column, justify="left" if column == "class" else "right")
    for label, s in report.per_class.items():
        table.add_row(label, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.support))
    table.add_row("macro", "", "", f"{report.macro_f1:.3f}", f"accuracy {report.accuracy:.3f}")
    return table


def _confusion_table(title: str, report: LabelReport) -> Table:
    table = Table(title=title)
    for column in ("gold", "read as", "count", "first example"):
        table.add_column(column, justify="right" if column == "count" else "left")
    for c in report.confusion:
        table.add_row(c.gold, c.predicted, str(c.count), c.example)
    return table


def report_tables(report: OutsideReport) -> list[Table]:
    outside = report.intent_outside
    sources = ", ".join(
        f"{name} {r.macro_f1:.3f} (n={r.n})" for name, r in report.by_source.items()
    )
    return [
        _class_table(
            f"intent on {outside.n} outside messages — macro-F1 by source: {sources}; "
            f"unsure {report.fallback_rate:.1%}",
            outside,
        ),
        _confusion_table("intent confusions, outside messages", outside),
        _class_table(
            f"intent on {report.intent_heldout.n} team held-out messages (same reader)",
            report.intent_heldout,
        ),
        _confusion_table("intent confusions, team held-out messages", report.intent_heldout),
        _class_table(
            f"emotion on {report.emotion_outside.n} texts written by others — false upset on "
            f"neutral {report.false_upset_rate:.1%} (answered in the upset tone "
            f"{report.upset_tone_rate:.1%})",
            report.emotion_outside,
        ),
        _confusion_table("emotion confusions (coarse gold → our label)", report.emotion_outside),
    ]
