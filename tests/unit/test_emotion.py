"""Emotion detection: contract, fake, escalation, data hygiene, cache key and the real model."""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from pathlib import Path

import pytest

from insight.emotion import data
from insight.emotion.base import (
    LABELS,
    Emotion,
    EmotionDetector,
    EmotionLabel,
    KeywordEmotionDetector,
    as_label,
)
from insight.emotion.data import Example
from insight.emotion.train import TrainConfig, fingerprint
from insight.emotion.trajectory import EmotionTrajectory, Escalation, EscalationRule
from insight.understanding.nlu_data import LabelledText

# ------------------------------------------------------------------------------------ labels


def test_the_label_set_is_the_seven_agreed_emotions() -> None:
    assert LABELS == (
        "anger",
        "frustration",
        "anxiety",
        "confusion",
        "sadness",
        "gratitude",
        "neutral",
    )
    assert as_label("sadness") == "sadness"
    with pytest.raises(ValueError, match="unknown emotion label"):
        as_label("joy")


# -------------------------------------------------------------------------------------- fake


def test_the_keyword_fake_is_a_deterministic_detector() -> None:
    detector: EmotionDetector = KeywordEmotionDetector()
    detector.warm_up()

    assert detector.detect("This is a SCAM, I'm furious").label == "anger"
    assert detector.detect("seriously, still nothing").label == "frustration"
    assert detector.detect("I'm worried my parcel is lost").label == "anxiety"
    assert detector.detect("I don't understand the invoice").label == "confusion"
    assert detector.detect("so disappointed :(").label == "sadness"
    assert detector.detect("Thanks a lot!").label == "gratitude"
    assert detector.detect("where is my parcel").label == "neutral"
    assert detector.detect("still waiting") == detector.detect("still waiting")


def test_the_fake_scores_every_label_and_sums_to_one() -> None:
    emotion = KeywordEmotionDetector().detect("thank you")

    assert set(emotion.scores) == set(LABELS)
    assert sum(emotion.scores.values()) == pytest.approx(1.0)
    assert emotion.scores[emotion.label] == emotion.confidence == 0.9
    assert emotion.polarity > 0
    assert KeywordEmotionDetector().detect("ok").confidence == 0.6


def test_keywords_match_whole_words_only() -> None:
    # "sadly" starts with "sad" and counts; "ambassador" contains "sad" and must not
    assert KeywordEmotionDetector().detect("the ambassador edition").label == "neutral"


# -------------------------------------------------------------------------------- metadata


def test_a_reading_travels_in_message_metadata_without_its_scores() -> None:
    read = Emotion("frustration", 0.87654, -0.61234, {"frustration": 0.87654})

    sent = read.to_metadata()

    assert sent == {"label": "frustration", "confidence": 0.877, "polarity": -0.612}
    assert Emotion.from_metadata(sent) == Emotion("frustration", 0.877, -0.612)


@pytest.mark.parametrize(
    "sent",
    [
        None,
        "anger",
        [],
        {},
        {"label": "joy", "confidence": 0.9, "polarity": 0.5},
        {"label": "anger", "confidence": "0.9", "polarity": -0.5},
        {"label": "anger", "confidence": True, "polarity": -0.5},
        {"label": "anger", "confidence": 1.5, "polarity": -0.5},
        {"label": "anger", "confidence": 0.9, "polarity": -2},
        {"label": "anger", "confidence": float("nan"), "polarity": 0.0},
        {"label": "anger", "confidence": 0.9},
    ],
)
def test_anything_but_a_valid_reading_in_metadata_is_no_reading(sent: object) -> None:
    assert Emotion.from_metadata(sent) is None


# -------------------------------------------------------------------------------- escalation


def turn(label: EmotionLabel, confidence: float = 0.8, polarity: float = 0.0) -> Emotion:
    return Emotion(label, confidence, polarity)


RULE = EscalationRule()


def test_no_turns_or_calm_turns_do_not_escalate() -> None:
    assert RULE.evaluate([]) == Escalation(False)
    assert not RULE.evaluate([turn("neutral"), turn("confusion"), turn("gratitude", polarity=0.9)])


def test_very_confident_anger_escalates_at_once() -> None:
    assert RULE.evaluate([turn("anger", 0.95, -0.9)]) == Escalation(True, "acute_anger")
    assert RULE.evaluate([turn("anger", 0.9, -0.9)]).reason == "acute_anger"  # the bound counts


def test_one_moderately_angry_turn_is_not_enough() -> None:
    assert not RULE.evaluate([turn("neutral"), turn("anger", 0.8, -0.2)])


def test_two_consecutive_angry_or_frustrated_turns_escalate() -> None:
    assert RULE.evaluate([turn("frustration", 0.7), turn("frustration", 0.65)]) == Escalation(
        True, "sustained_negative"
    )
    assert (
        RULE.evaluate([turn("anger", 0.6), turn("frustration", 0.6)]).reason == "sustained_negative"
    )


def test_sustained_needs_both_turns_confident_and_consecutive() -> None:
    assert not RULE.evaluate([turn("frustration", 0.9), turn("frustration", 0.55)])
    assert not RULE.evaluate([turn("frustration", 0.9), turn("neutral"), turn("frustration", 0.9)])
    assert not RULE.evaluate([turn("sadness", 0.9), turn("sadness", 0.9)])


def test_only_the_latest_turn_can_trigger() -> None:
    calmed_down = [
        turn("anger", 0.99, -1.0),
        turn("anger", 0.99, -1.0),
        turn("gratitude", 0.9, 0.8),
    ]
    assert not RULE.evaluate(calmed_down)


def test_a_swing_from_content_to_upset_escalates() -> None:
    falling = [turn("gratitude", 0.8, 0.7), turn("neutral", 0.7, 0.0), turn("sadness", 0.7, -0.6)]
    assert RULE.evaluate(falling) == Escalation(True, "polarity_drop")
    sudden = [turn("gratitude", 0.9, 0.8), turn("anxiety", 0.7, -0.5)]
    assert RULE.evaluate(sudden).reason == "polarity_drop"


def test_a_fall_that_stays_above_the_floor_or_is_small_does_not_escalate() -> None:
    assert not RULE.evaluate([turn("gratitude", polarity=0.9), turn("neutral", polarity=-0.4)])
    assert not RULE.evaluate([turn("neutral", polarity=0.0), turn("sadness", polarity=-0.6)])


def test_one_complaint_after_neutral_turns_is_not_a_polarity_drop() -> None:
    complaint = [turn("neutral", 0.9, 0.0), turn("neutral", 0.9, 0.1), turn("sadness", 0.9, -0.9)]
    assert not RULE.evaluate(complaint)


def test_the_drop_window_only_looks_back_three_turns() -> None:
    old_high = [
        turn("gratitude", polarity=0.9),
        turn("neutral", polarity=-0.2),
        turn("neutral", polarity=-0.3),
        turn("sadness", polarity=-0.5),
    ]
    assert not RULE.evaluate(old_high)
    assert EscalationRule(drop_window=4).evaluate(old_high).reason == "polarity_drop"


def test_acute_anger_takes_precedence_over_the_other_reasons() -> None:
    both = [turn("frustration", 0.9, 0.5), turn("anger", 0.97, -0.9)]
    assert RULE.evaluate(both).reason == "acute_anger"


def test_the_rule_says_how_many_turns_it_reads_and_what_counts_as_hostile() -> None:
    assert RULE.window == 3
    assert EscalationRule(sustained_turns=5).window == 5
    assert RULE.hostile(turn("frustration", 0.6)) and RULE.hostile(turn("anger", 0.7))
    assert not RULE.hostile(turn("frustration", 0.59)) and not RULE.hostile(turn("sadness", 0.9))


def test_only_an_upset_latest_turn_may_fire_whatever_came_before() -> None:
    assert RULE.may_fire(turn("anger", 0.95, 0.0))
    assert RULE.may_fire(turn("frustration", 0.6, 0.0))
    assert RULE.may_fire(turn("sadness", 0.7, -0.6))
    assert not RULE.may_fire(turn("sadness", 0.7, -0.4))
    assert not RULE.may_fire(turn("gratitude", 0.9, 0.9))


def test_thresholds_are_configurable() -> None:
    strict = EscalationRule(acute_anger_confidence=0.99, sustained_turns=3)
    assert not strict.evaluate([turn("anger", 0.95), turn("anger", 0.95)])
    assert strict.evaluate([turn("anger", 0.95)] * 3).reason == "sustained_negative"


def test_the_trajectory_is_immutable_and_evaluates_its_turns() -> None:
    start = EmotionTrajectory()
    one = start.add(turn("frustration", 0.8))
    two = one.add(turn("frustration", 0.8))

    assert start.turns == () and start.latest is None
    assert len(one.turns) == 1 and one.latest == turn("frustration", 0.8)
    assert not one.escalation()
    assert two.escalation().reason == "sustained_negative"
    assert not two.escalation(EscalationRule(sustained_turns=3))


# ----------------------------------------------------------------------------- training data

CONFIG = TrainConfig()


@pytest.fixture(scope="module")
def training_set() -> list[Example]:
    return data.emotion_training_set(CONFIG.composed_per_label, CONFIG.seed)


def test_every_label_has_enough_training_and_test_messages(training_set: list[Example]) -> None:
    train_counts = Counter(example.label for example in training_set)
    test_counts = Counter(example.label for example in data.emotion_test_set())

    assert set(train_counts) == set(test_counts) == set(LABELS)
    assert min(train_counts.values()) >= 300
    assert min(test_counts.values()) >= 60
    hand_written = Counter(example.label for example in data.load_labelled(data.HANDWRITTEN_FILE))
    assert min(hand_written.values()) >= 60


def test_no_test_message_leaks_from_the_training_data(training_set: list[Example]) -> None:
    assert data.leaks(training_set, data.emotion_test_set()) == []


def test_the_leak_check_catches_copies_shared_sentences_and_long_runs() -> None:
    train = [
        Example("Where is my parcel? It has been two weeks since I paid for it.", "frustration")
    ]
    test = [
        Example("WHERE IS MY PARCEL???", "frustration"),  # same message, other case and punctuation
        Example("hello. It has been two weeks since I paid for it!", "anger"),  # shared sentence
        Example("honestly it has been two weeks since I paid for the phone", "anger"),  # 8 words
        Example("my parcel has not arrived after two weeks", "frustration"),  # different
    ]
    assert data.leaks(train, test) == [example.text for example in test[:3]]


def test_calm_task_requests_train_neutral_and_upset_or_tested_ones_stay_out() -> None:
    nlu = [
        LabelledText("please cancel order SS-100234", "cancel_order", "orders.yml"),
        LabelledText("I put the wrong postcode on my order", "change_address", "orders.yml"),
        LabelledText("where is my order, so fed up!!", "check_order_status", "orders.yml"),
        LabelledText("WHERE IS MY PARCEL", "check_order_status", "orders.yml"),
        LabelledText("this is the worst shop ever", "complain", "help.yml"),
        LabelledText("how do I unsubscribe from emails", "ask_faq", "help.yml"),
    ]
    tested = [Example("how do I unsubscribe from emails?", "neutral")]

    chosen = data.task_messages(nlu, limit=10, seed=1, held_out=tested)

    assert sorted(chosen, key=lambda e: e.text) == [
        Example("I put the wrong postcode on my order", "neutral"),
        Example("please cancel order SS-100234", "neutral"),
    ]
    assert len(data.task_messages(nlu, limit=1, seed=1)) == 1


def test_composed_messages_are_reproducible_and_fully_filled() -> None:
    fragments = data.load_fragments(data.FRAGMENTS_FILE)
    first = data.compose_messages(fragments, 30, seed=5)

    assert first == data.compose_messages(fragments, 30, seed=5)
    assert first != data.compose_messages(fragments, 30, seed=6)
    assert Counter(example.label for example in first) == dict.fromkeys(LABELS, 30)
    assert not [example.text for example in first if "{" in example.text or "}" in example.text]


def test_the_training_set_has_no_duplicates(training_set: list[Example]) -> None:
    keys = [data.normalise(example.text) for example in training_set]
    assert len(keys) == len(set(keys))


def test_labelled_files_reject_unknown_labels_and_unquoted_values(tmp_path: Path) -> None:
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("joy:\n  - yay\n")
    with pytest.raises(ValueError, match="unknown emotion label"):
        data.load_labelled(unknown)
    boolean = tmp_path / "boolean.yaml"
    boolean.write_text("neutral:\n  - yes\n")  # YAML reads a bare yes as True
    with pytest.raises(ValueError, match="quoted strings"):
        data.load_labelled(boolean)


# --------------------------------------------------------------------------------- polarity


def test_valence_cut_offs() -> None:
    assert data.valence_class(-0.5) == "negative"
    assert data.valence_class(-0.49) == "neutral"
    assert data.valence_class(0.0) == "neutral"
    assert data.valence_class(0.49) == "neutral"
    assert data.valence_class(0.5) == "positive"


def test_tweets_lose_handles_links_and_retweet_markers() -> None:
    assert data.clean_tweet("RT @united: thanks for nothing http://t.co/x  #fail") == (
        "thanks for nothing #fail"
    )


def test_every_shopper_emotion_maps_to_a_polarity_class() -> None:
    assert set(data.LABEL_POLARITY) == set(LABELS)
    assert set(data.LABEL_POLARITY.values()) <= set(data.POLARITY_CLASSES)


# -------------------------------------------------------------------------------- cache key


def test_the_cache_key_changes_with_the_data_and_the_configuration(tmp_path: Path) -> None:
    files = []
    for source in data.TRAINING_FILES:
        copy = tmp_path / source.name
        shutil.copy(source, copy)
        files.append(copy)

    original = fingerprint(CONFIG, files)
    assert fingerprint(CONFIG, files) == original
    assert fingerprint(CONFIG, data.TRAINING_FILES) == original  # content, not location
    assert fingerprint(dataclasses.replace(CONFIG, emotion_epochs=9), files) != original

    files[0].write_text(files[0].read_text() + "  - one more message\n")
    assert fingerprint(CONFIG, files) != original


# ------------------------------------------------------------------------------- evaluation


def test_emotion_evaluation_reports_per_class_and_macro_f1() -> None:
    from insight.emotion.evaluate import evaluate_emotion

    examples = [
        Example("thanks so much", "gratitude"),
        Example("I'm worried it got lost", "anxiety"),
        Example("where is it", "neutral"),
        Example("why is it so slow", "frustration"),  # the fake says neutral
    ]
    report = evaluate_emotion(KeywordEmotionDetector(), examples)

    assert report.n == 4 and report.accuracy == 0.75
    assert report.per_class["gratitude"].f1 == 1.0
    assert report.per_class["neutral"].precision == 0.5
    assert report.per_class["frustration"].recall == 0.0
    assert report.macro_f1 == pytest.approx(sum(s.f1 for s in report.per_class.values()) / 7)
    assert [(e.text, p) for e, p in report.misses] == [("why is it so slow", "neutral")]
    assert set(report.as_results()) >= {"macro_f1", "n", "per_class"}


def test_polarity_evaluation_compares_with_vader_on_the_same_texts() -> None:
    from insight.emotion.evaluate import evaluate_polarity

    texts = ["I love this phone, it is wonderful", "terrible, it broke, I hate it", "it is a phone"]
    report = evaluate_polarity(
        lambda ts: ["positive", "negative", "neutral"], texts, [3.0, -3.0, 0.0]
    )

    assert report.n == 3 and report.accuracy == 1.0 and report.macro_f1 == 1.0
    assert report.vader_accuracy == 1.0
    assert set(report.as_results()) >= {"accuracy", "macro_f1", "vader_accuracy", "n"}


def test_the_latency_bench_reports_percentiles() -> None:
    from insight.emotion.bench import time_detector

    result = time_detector(KeywordEmotionDetector(), ["hello", "thanks"], runs=20)

    assert 0 <= result["p50"] <= result["p95"] <= result["max"]
    assert result["runs"] == 20


# ------------------------------------------------------------------------------- real model


def test_the_transformer_detector_loads_nothing_until_used(tmp_path: Path) -> None:
    from insight.emotion.detector import TransformerEmotionDetector

    detector = TransformerEmotionDetector(model_dir=tmp_path / "missing")
    assert detector.detect("   ").label == "neutral"  # blank text needs no model
    with pytest.raises(FileNotFoundError, match="insight build emotion"):
        detector.warm_up()


@pytest.mark.slow
def test_the_amazon_split_keeps_each_review_on_one_side() -> None:
    from insight.settings import Settings

    train, test = data.amazon_split(Settings.from_env().cache_dir)
    reviews = [set(frame["id"].str.split("_").str[0]) for frame in (train, test)]

    assert not reviews[0] & reviews[1]
    assert len(train) + len(test) == 3708
    assert 0.3 < len(test) / 3708 < 0.5


@pytest.mark.slow
def test_the_split_encoder_computes_what_the_whole_encoder_does() -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    from insight.embeddings import minilm_model_dir
    from insight.emotion.model import split_encoder

    encoder = AutoModel.from_pretrained(str(minilm_model_dir())).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(minilm_model_dir()))
    batch = tokenizer(["where is my order 55123?", "ok"], padding=True, return_tensors="pt")
    bottom, top = split_encoder(encoder, top_layers=2)
    with torch.no_grad():
        whole = encoder(**batch).last_hidden_state
        hidden = bottom(**batch).last_hidden_state
        split = top(inputs_embeds=hidden, attention_mask=batch["attention_mask"]).last_hidden_state

    assert torch.allclose(whole, split, atol=1e-5)


@pytest.fixture(scope="module")
def real_detector() -> EmotionDetector:
    """The built model (built now when the cache has none: a few minutes on two cores)."""
    from insight.emotion.detector import TransformerEmotionDetector
    from insight.emotion.train import build_emotion_model
    from insight.settings import Settings

    build = build_emotion_model(Settings.from_env().cache_dir)
    detector = TransformerEmotionDetector(model_dir=build.path)
    detector.warm_up()
    return detector


@pytest.mark.slow
def test_the_real_model_recognises_clear_cases(real_detector: EmotionDetector) -> None:
    shouting = real_detector.detect("THIS IS THE THIRD TIME I ASK!!!")
    thanks = real_detector.detect("thank you so much!")

    assert shouting.label in {"anger", "frustration"}
    assert thanks.label == "gratitude"
    assert real_detector.detect("I'm so worried my order got lost").label == "anxiety"
    assert real_detector.detect("what does this status even mean?").label == "confusion"
    assert thanks.polarity > 0.3 > -0.3 > shouting.polarity


@pytest.mark.slow
def test_the_real_model_gives_consistent_scores(real_detector: EmotionDetector) -> None:
    emotion = real_detector.detect("my parcel is late again, ugh")

    assert set(emotion.scores) == set(LABELS)
    assert sum(emotion.scores.values()) == pytest.approx(1.0, abs=1e-4)
    assert emotion.confidence == max(emotion.scores.values()) == emotion.scores[emotion.label]
    assert -1.0 <= emotion.polarity <= 1.0
    assert real_detector.detect("my parcel is late again, ugh") == emotion


@pytest.mark.slow
def test_the_real_model_can_be_shared_between_threads(real_detector: EmotionDetector) -> None:
    """The gateway calls ``detect`` from worker threads, several conversations at once."""
    from concurrent.futures import ThreadPoolExecutor

    messages = [example.text for example in data.emotion_test_set()][:48]
    expected = [real_detector.detect(message) for message in messages]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(real_detector.detect, messages)) == expected
