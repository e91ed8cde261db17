"""The shared understanding pass: NLU examples, shopper-style variations, the intent split and
calibration, and the reading as it travels to Rasa and the action server."""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from insight.emotion.train import calibrate, least_cost_threshold, split_intents, with_variants
from insight.faq.contracts import FaqHit
from insight.understanding.contracts import KeywordUnderstander
from insight.understanding.message import MessageUnderstanding
from insight.understanding.metadata import (
    IntentGuess,
    Mood,
    intent_from_metadata,
    mood_from_metadata,
)
from insight.understanding.nlu_data import LabelledText, nlu_files, read_nlu_examples
from insight.understanding.noise import abbreviate, shopper_variant


def test_nlu_examples_are_read_as_typed_without_entity_annotations(tmp_path: Path) -> None:
    nlu = tmp_path / "orders.yml"
    nlu.write_text(
        'version: "3.1"\n'
        "nlu:\n"
        "  - intent: check_order_status\n"
        "    examples: |\n"
        "      - where is [SS-100234](order_number)?\n"
        '      - any news on my [laptop]{"entity": "category"} order\n'
        "  - synonym: tv\n"
        "    examples: |\n"
        "      - television\n"
    )

    assert read_nlu_examples(nlu) == [
        LabelledText("where is SS-100234?", "check_order_status", "orders.yml"),
        LabelledText("any news on my laptop order", "check_order_status", "orders.yml"),
    ]


def test_the_project_nlu_data_yields_every_domain_intent_it_trains() -> None:
    examples = read_nlu_examples(nlu_files())
    intents = {e.label for e in examples}

    assert {"check_order_status", "request_human", "ask_faq", "greet"} <= intents
    assert all("](" not in e.text and e.text for e in examples)


def test_shopper_variants_are_seeded_chat_style_rewrites() -> None:
    text = "Can you please tell me where my order is? I want to know as soon as possible."
    first = [shopper_variant(text, random.Random(3)) for _ in range(1)]
    again = [shopper_variant(text, random.Random(3)) for _ in range(1)]
    many = {shopper_variant(text, random.Random(seed)) for seed in range(40)}

    assert first == again
    assert len(many) > 20
    assert any(" u " in v or "pls" in v or "asap" in v for v in many)
    assert any(v == v.lower() and "?" not in v for v in many)
    assert abbreviate("Thank you, please hurry", random.Random(0), rate=1.0) == "ty, pls hurry"


def test_the_validation_split_holds_out_each_intent_and_is_stable() -> None:
    examples = [
        LabelledText(f"message {i} about {label}", label, "x") for label in "abc" for i in range(20)
    ]
    examples.append(LabelledText("lonely", "d", "x"))

    train, held = split_intents(examples, 0.15)
    again = split_intents(list(reversed(examples)), 0.15)[1]

    assert sorted(e.label for e in held) == ["a"] * 3 + ["b"] * 3 + ["c"] * 3
    assert set(held) == set(again)
    assert not set(train) & set(held)
    assert LabelledText("lonely", "d", "x") in train


def test_variants_keep_the_written_example_and_its_label() -> None:
    rows = with_variants([LabelledText("Where is my parcel please", "status", "x")], 2, seed=1)

    assert rows[0].text == "Where is my parcel please"
    assert {r.label for r in rows} == {"status"}
    assert len({r.text for r in rows}) == len(rows)


def test_calibration_chooses_a_threshold_that_rejects_unsure_wrong_guesses() -> None:
    # ten confident right guesses, five hesitant wrong ones
    logits = torch.tensor([[4.0, 0.0, 0.0]] * 10 + [[0.3, 0.2, 0.0]] * 5)
    targets = torch.tensor([0] * 10 + [2] * 5)

    calibration = calibrate(logits, targets, ("a", "b", "c"), unsure_cost=0.5)

    hesitant = float(torch.softmax(logits[10] / calibration.temperature, dim=-1).max())
    confident = float(torch.softmax(logits[0] / calibration.temperature, dim=-1).max())
    assert hesitant < calibration.threshold <= confident
    assert calibration.unsure_rate == round(5 / 15, 4)
    assert calibration.accuracy == round(10 / 15, 4)


def test_the_intent_reading_round_trips_and_malformed_readings_are_refused() -> None:
    reader = KeywordUnderstander({"check_order_status": ["order"], "greet": ["hello"]})
    reading = reader.read("where is my order")
    metadata = reading.intent_metadata()

    assert reading.sure
    ranking, threshold = intent_from_metadata(metadata) or ((), 0.0)
    assert [(g.name, g.confidence) for g in ranking] == [
        ("check_order_status", 0.9),
        ("greet", 0.1),
    ]
    assert threshold == reading.threshold
    assert intent_from_metadata(None) is None
    assert intent_from_metadata({"ranking": [], "threshold": 0.5}) is None
    assert (
        intent_from_metadata({"ranking": [{"name": "greet", "confidence": 2}], "threshold": 0.5})
        is None
    )
    assert (
        intent_from_metadata({"ranking": [{"name": "greet", "confidence": 0.9}], "threshold": True})
        is None
    )
    shuffled = {
        "threshold": 0.3,
        "ranking": [{"name": "a", "confidence": 0.1}, {"name": "b", "confidence": 0.8}],
    }
    assert intent_from_metadata(shuffled) == ((IntentGuess("b", 0.8), IntentGuess("a", 0.1)), 0.3)


class _OneEntryIndex:
    def __init__(self, threshold: float = 0.7) -> None:
        self.vectors: list[np.ndarray] = []
        self.threshold = threshold

    def search_vector(self, vector: np.ndarray, k: int = 3) -> list[FaqHit]:
        self.vectors.append(vector)
        return [FaqHit("returns", "How do returns work?", "Within 30 days.", 0.8)][:k]


def test_an_unsure_faq_guess_is_trusted_when_the_faq_answers_with_confidence() -> None:
    unsure = KeywordUnderstander({"ask_faq": ["zzz"], "check_order_status": ["yyy"]}, 0.6)
    answered = MessageUnderstanding(unsure, _OneEntryIndex(threshold=0.7))
    doubtful = MessageUnderstanding(unsure, _OneEntryIndex(threshold=0.9))
    order_first = MessageUnderstanding(
        KeywordUnderstander({"check_order_status": ["zzz"], "ask_faq": ["yyy"]}, 0.6),
        _OneEntryIndex(threshold=0.7),
    )

    # no keyword matches: each intent gets 0.5, below the 0.6 threshold
    vouched = answered.read("how do returns work")
    assert vouched.reading.sure and vouched.reading.intent == unsure.read("x").intent
    assert not doubtful.read("how do returns work").reading.sure  # the FAQ is not sure either
    assert not order_first.read("how do returns work").reading.sure  # only an FAQ guess
    assert [r.sure for r in answered.read_many(["a", "b"])] == [True, True]


def test_the_faq_is_searched_only_for_what_may_be_a_question() -> None:
    index = _OneEntryIndex()
    reader = KeywordUnderstander({"ask_faq": ["return"], "check_order_status": ["order"]}, 0.6)
    understanding = MessageUnderstanding(reader, index)

    question = understanding.read("how do returns work")
    order = understanding.read("where is my order")
    unsure = understanding.read("blorp")  # no keyword: 0.5 each, under the threshold

    assert question.faq_hit is not None and unsure.faq_hit is not None
    assert order.faq_hit is None and "faq" not in order.metadata()
    assert len(index.vectors) == 2  # the order's query vector was never searched with


def test_one_reading_carries_intent_emotion_and_the_faq_hit_found_with_its_vector() -> None:
    index = _OneEntryIndex()
    understanding = MessageUnderstanding(KeywordUnderstander({"ask_faq": ["return"]}), index)

    understood = understanding.read("how do returns work, this is unacceptable")
    metadata = understood.metadata()

    assert metadata["intent"]["name"] == "ask_faq"
    assert metadata["emotion"]["label"] == "anger"
    assert metadata["faq"] == [
        {
            "id": "returns",
            "question": "How do returns work?",
            "answer": "Within 30 days.",
            "score": 0.8,
        }
    ]
    assert FaqHit.from_metadata(metadata["faq"][0]) == FaqHit(
        "returns", "How do returns work?", "Within 30 days.", 0.8
    )
    assert np.array_equal(index.vectors[0], understood.reading.vector)


def test_the_mood_travels_with_the_tone_it_calls_for_and_forged_moods_are_refused() -> None:
    understanding = MessageUnderstanding(KeywordUnderstander())

    angry = understanding.read("this is unacceptable, a scam").metadata()["emotion"]
    calm = understanding.read("what do you sell").metadata()["emotion"]

    assert mood_from_metadata(angry) == Mood("anger", "upset")
    assert mood_from_metadata(calm) == Mood("neutral", "calm")
    assert mood_from_metadata({"label": "anger"}) is None  # no tone: not the gateway's reading
    assert mood_from_metadata({"label": "rage", "tone": "upset"}) is None
    assert mood_from_metadata({"label": "anger", "tone": "livid"}) is None
    assert mood_from_metadata("anger") is None


def test_intent_folds_hold_each_example_out_exactly_once() -> None:
    from insight.understanding.crossval import intent_folds

    examples = [LabelledText(f"message number {i}", f"intent_{i % 3}", "t.yml") for i in range(60)]

    folds = intent_folds(examples, 4)

    held = [e for _, held_out in folds for e in held_out]
    assert sorted(e.text for e in held) == sorted(e.text for e in examples)
    for training, held_out in folds:
        assert held_out and not set(training) & set(held_out)
        assert len(training) + len(held_out) == len(examples)
    assert intent_folds(examples, 4) == folds  # stable: the same split on every run


def test_cross_validation_needs_two_folds() -> None:
    from insight.understanding.crossval import intent_folds

    with pytest.raises(ValueError, match="two folds"):
        intent_folds([], 1)


def test_requests_about_one_order_also_train_with_its_number_in_shoppers_formats() -> None:
    examples = [
        LabelledText("please change the delivery address", "change_address", "orders.yml"),
        LabelledText("cancel SS-100234", "cancel_order", "orders.yml"),
        LabelledText("where is my order", "check_order_status", "orders.yml"),
    ]

    trained = with_variants(examples, variants=0, seed=3)

    numbered = [e.text for e in trained if e.label == "change_address"]
    assert len(numbered) == 2 and re.search(r"\d{6}", numbered[1])
    assert "change the delivery address" in numbered[1]
    assert [e.text for e in trained if e.label != "change_address"] == [
        "cancel SS-100234",  # it has its number already
        "where is my order",  # the bias this corrects: status questions carry most numbers
    ]


def test_the_threshold_sits_between_the_hesitant_and_the_confident_not_on_an_edge() -> None:
    # right guesses at 0.80-0.95, wrong ones at 0.20-0.40: any threshold in the gap costs nothing,
    # and the chosen one keeps away from both sides, so a small shift of either stays trusted
    right = torch.linspace(0.80, 0.95, 20)
    wrong = torch.linspace(0.20, 0.40, 8)
    confidence = torch.cat([right, wrong]).double()
    is_right = torch.tensor([True] * 20 + [False] * 8)

    threshold = least_cost_threshold(confidence, is_right, unsure_cost=0.7)
    nudged = least_cost_threshold(confidence + 0.02, is_right, unsure_cost=0.7)

    assert 0.5 < threshold < 0.7
    assert abs(nudged - threshold) <= 0.03
