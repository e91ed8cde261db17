"""The shared encoder pass on the model `make emotion` built (``make test`` builds it first)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

from insight.embeddings import MiniLMEncoder
from insight.understanding.contracts import Reading
from insight.understanding.nlu_data import HELDOUT_FILE, read_nlu_examples
from insight.understanding.reader import TransformerUnderstander


@pytest.fixture(scope="module")
def understander() -> TransformerUnderstander:
    reader = TransformerUnderstander()
    try:
        reader.warm_up()
    except FileNotFoundError as missing:
        pytest.fail(f"{missing} (`make test` builds it before the tests)", pytrace=False)
    return reader


def test_the_faq_query_vector_is_the_packaged_sentence_embedding(
    understander: TransformerUnderstander,
) -> None:
    texts = ["what is your return policy", "do you ship to Norway?"]

    readings = understander.read_many(texts)
    packaged = MiniLMEncoder().encode(texts)

    for reading, vector in zip(readings, packaged, strict=True):
        assert float(reading.vector @ vector) > 0.999


def test_shouting_changes_the_emotion_input_but_not_the_faq_query(
    understander: TransformerUnderstander,
) -> None:
    calm, shouted = understander.read_many(["where is my parcel", "WHERE IS MY PARCEL"])

    # the emotion heads see a marker for capitals; the FAQ query hides it (0.66 before it did)
    assert float(calm.vector @ shouted.vector) > 0.95
    assert calm.intents[0].name == shouted.intents[0].name == "check_order_status"


def test_every_reading_ranks_the_known_intents_with_a_threshold_chosen_on_data(
    understander: TransformerUnderstander,
) -> None:
    reading = understander.read("can you cancel order 4411 please")

    assert reading.intents[0].name == "cancel_order"
    assert abs(sum(guess.confidence for guess in reading.intents) - 1.0) < 1e-3
    assert 0.0 < reading.threshold < 1.0


def test_the_bfloat16_pass_reads_what_the_float32_pass_reads() -> None:
    texts = [example.text for example in read_nlu_examples(HELDOUT_FILE)]
    exact = TransformerUnderstander(dtype=torch.float32).read_many(texts)
    halved = TransformerUnderstander(dtype=torch.bfloat16).read_many(texts)

    def share_alike(key: Callable[[Reading], object]) -> float:
        return sum(key(a) == key(b) for a, b in zip(exact, halved, strict=True)) / len(texts)

    assert share_alike(lambda reading: reading.intents[0].name) >= 0.98
    assert share_alike(lambda reading: reading.emotion.label) >= 0.98
    assert share_alike(lambda reading: reading.sure) >= 0.97
