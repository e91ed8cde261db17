"""The outside evaluation set (text others wrote) and how the shared reader is scored on it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

from insight.emotion.base import LABELS, Emotion, as_label
from insight.settings import PROJECT_ROOT
from insight.understanding.contracts import KeywordUnderstander, Reading
from insight.understanding.metadata import IntentGuess
from insight.understanding.outside_eval import (
    FALLBACK,
    OUTSIDE_FILES,
    EmotionText,
    OutsideMessage,
    OutsideSet,
    coarse_emotion,
    evaluate_outside,
    false_upset_rate,
    intent_read,
    load_outside_set,
    neutral_texts,
    review_texts,
    score_labels,
    training_leaks,
    upset_tone_rate,
)

# Bitext's intents and the ShopSense intents they map onto (tests/data/outside/README.md).
BITEXT_MAPPED = {
    "check_order_status",
    "cancel_order",
    "change_address",
    "refund_status",
    "payment_problem",
    "complain",
    "give_feedback",
    "request_human",
    "ask_faq",
}


def _domain_intents() -> set[str]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return set(domain["intents"])


def test_the_outside_sets_load_and_cover_every_mapped_intent() -> None:
    bitext, starter = (load_outside_set(path) for path in OUTSIDE_FILES)

    assert bitext.licence == "CDLA-Sharing-1.0" and starter.licence == "Apache-2.0"
    assert {m.intent for m in bitext.messages} == BITEXT_MAPPED
    assert {m.intent for m in starter.messages} == {
        "greet",
        "goodbye",
        "affirm",
        "deny",
        "bot_challenge",
    }
    assert all(len([m for m in bitext.messages if m.intent == i]) >= 15 for i in BITEXT_MAPPED)
    every = bitext.messages + starter.messages
    assert {m.intent for m in every} <= _domain_intents()
    assert all(m.tags for m in bitext.messages)
    assert len({m.text.lower() for m in every}) == len(every)


def test_no_outside_message_is_in_the_training_data() -> None:
    messages = [m for path in OUTSIDE_FILES for m in load_outside_set(path).messages]

    assert training_leaks(messages) == []


def test_a_message_copied_into_training_would_be_caught() -> None:
    trained = OutsideMessage("where is my order?", "check_order_status", "track_order")

    assert training_leaks([trained]) == ["where is my order?"]


def test_a_set_file_without_an_intent_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text("source: x\nlicence: y\nmessages:\n  - text: hello\n")

    with pytest.raises(ValueError, match="needs a text and an intent"):
        load_outside_set(path)


def _no_vector() -> np.ndarray:
    raise AssertionError("scoring intents needs no FAQ query vector")


def _reading(confidence: float, threshold: float = 0.5) -> Reading:
    guesses = (IntentGuess("cancel_order", confidence), IntentGuess("greet", 1 - confidence))
    return Reading(guesses, threshold, Emotion("neutral", 0.9, 0.0), _no_vector)


def test_an_unsure_reading_counts_as_fallback_as_in_the_gateway() -> None:
    assert intent_read(_reading(0.8)) == "cancel_order"
    assert intent_read(_reading(0.5)) == "cancel_order"  # at the threshold is sure
    assert intent_read(_reading(0.49)) == FALLBACK
    empty = Reading((), 0.5, Emotion("neutral", 0.9, 0.0), _no_vector)
    assert intent_read(empty) == FALLBACK


def test_scores_are_macro_over_gold_classes_and_fallback_only_costs_recall() -> None:
    gold = ["a", "a", "b", "b"]
    predicted = ["a", FALLBACK, "b", "a"]
    texts = ["a1", "a2", "b1", "b2"]

    report = score_labels(gold, predicted, texts)

    # a: precision 1/2, recall 1/2 → F1 0.5; b: precision 1, recall 1/2 → F1 2/3
    assert set(report.per_class) == {"a", "b"}
    assert report.per_class["a"].f1 == pytest.approx(0.5)
    assert report.per_class["b"].f1 == pytest.approx(2 / 3)
    assert report.macro_f1 == pytest.approx((0.5 + 2 / 3) / 2)
    assert report.accuracy == 0.5
    assert [(c.gold, c.predicted, c.count, c.example) for c in report.confusion] == [
        ("a", FALLBACK, 1, "a2"),
        ("b", "a", 1, "b2"),
    ]


def test_confusions_are_counted_commonest_first_with_their_first_example() -> None:
    report = score_labels(["x", "x", "x", "y"], ["y", "y", "x", "x"], ["1", "2", "3", "4"])

    assert [(c.gold, c.predicted, c.count, c.example) for c in report.confusion] == [
        ("x", "y", 2, "1"),
        ("y", "x", 1, "4"),
    ]


def test_emotion_labels_fold_into_neutral_upset_and_positive() -> None:
    coarse = {label: coarse_emotion(label) for label in LABELS}

    assert coarse == {
        "anger": "upset",
        "frustration": "upset",
        "anxiety": "upset",
        "confusion": "neutral",
        "sadness": "upset",
        "gratitude": "positive",
        "neutral": "neutral",
    }


def test_false_upset_rate_is_the_share_of_neutral_read_as_upset() -> None:
    gold = ["neutral", "neutral", "neutral", "neutral", "upset"]
    predicted = ["upset", "neutral", "positive", "neutral", "upset"]

    assert false_upset_rate(gold, predicted) == 0.25
    assert false_upset_rate(["upset"], ["upset"]) == 0.0


def test_upset_tone_counts_neutral_messages_read_as_confident_anger_or_frustration() -> None:
    def reading(label: str, confidence: float) -> Reading:
        emotion = Emotion(as_label(label), confidence, 0.0)
        return Reading((), 0.5, emotion, lambda: np.zeros(384, dtype=np.float32))

    readings = [
        reading("anger", 0.9),  # the apologetic tone: a calm shopper notices
        reading("frustration", 0.4),  # too unsure to change the tone
        reading("anxiety", 0.95),  # upset, yet the tone stays calm
        reading("neutral", 0.9),
        reading("anger", 0.9),  # not a neutral message
    ]
    gold = ["neutral", "neutral", "neutral", "neutral", "upset"]

    assert upset_tone_rate(gold, readings) == 0.25


def test_neutral_texts_are_neutral_intents_without_offensive_wording() -> None:
    messages = [
        OutsideMessage("where is SS-100001", "check_order_status", "track_order", "BK"),
        OutsideMessage("where is my damn parcel", "check_order_status", "track_order", "BLW"),
        OutsideMessage("lodge a claim", "complain", "complaint", "BL"),
        OutsideMessage("do you ship to Canada?", "ask_faq", "delivery_options", "BIL"),
    ]

    assert [e.text for e in neutral_texts(messages)] == [
        "where is SS-100001",
        "do you ship to Canada?",
    ]


def test_review_sentences_need_a_clear_valence() -> None:
    texts = ["awful", "bad", "fine", "good", "superb"]

    chosen = review_texts(texts, [-2.0, -1.5, 0.3, 1.4, 1.5])

    assert chosen == [
        EmotionText("awful", "upset"),
        EmotionText("bad", "upset"),
        EmotionText("superb", "positive"),
    ]


def test_every_text_is_read_once_and_scored_on_its_own_set() -> None:
    keywords = {"cancel_order": ["cancel"], "request_human": ["agent"]}
    reader = KeywordUnderstander(keywords, threshold=0.6)
    bitext = OutsideSet(
        "bitext",
        "Bitext",
        "CDLA-Sharing-1.0",
        (
            OutsideMessage("cancel order SS-100001", "cancel_order", "cancel_order", "BK"),
            OutsideMessage("speak with agent", "request_human", "contact_human_agent", "BK"),
            OutsideMessage("where is my parcel", "check_order_status", "track_order", "BL"),
        ),
    )
    starter = OutsideSet(
        "starter", "Rasa", "Apache-2.0", (OutsideMessage("hey dude", "greet", "greet"),)
    )
    emotions = [
        EmotionText("where is my parcel", "neutral"),
        EmotionText("thanks, great product", "positive"),
        EmotionText("I am disappointed", "upset"),
        EmotionText("still waiting again", "neutral"),
    ]

    report = evaluate_outside(
        reader, [bitext, starter], [("please cancel", "cancel_order")], emotions
    )

    assert report.intent_outside.n == 4
    # "where is my parcel" and "hey dude" match no keyword: an even ranking, below the threshold
    assert report.fallback_rate == 0.5
    assert report.intent_outside.accuracy == 0.5
    assert report.by_source["bitext"].accuracy == pytest.approx(2 / 3)
    assert report.by_source["starter"].accuracy == 0.0
    assert report.intent_heldout.accuracy == 1.0
    assert report.emotion_outside.per_class["positive"].recall == 1.0
    assert report.false_upset_rate == 0.5  # "still waiting again" reads as frustration
    neutral_misses = [c for c in report.emotion_outside.confusion if c.gold == "neutral"]
    assert [(c.predicted, c.example) for c in neutral_misses] == [
        ("frustration", "still waiting again")
    ]
    assert "CDLA-Sharing-1.0" in report.source and "n=3" in report.source
