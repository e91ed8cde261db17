"""FAQ knowledge, retrieval, thresholds and artefact caching (fake encoder; one real-model test)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from insight.embeddings import FakeEncoder, MiniLMEncoder, normalise_rows
from insight.faq import FakeFaqIndex, FaqEntry, FaqIndex
from insight.faq.adapter import AdapterConfig, project, train_adapter
from insight.faq.bench import bench_size, run_faq_bench
from insight.faq.build import FaqBuildConfig, ensure_faq_artefact, faq_fingerprint
from insight.faq.evaluate import DEFAULT_DATA_DIR, evaluate_faq
from insight.faq.index import FaissFaqIndex
from insight.faq.knowledge import (
    KnowledgeError,
    load_faq_entries,
    load_labelled_queries,
    load_policies,
    normalise_text,
    render,
)
from insight.faq.scope import mentions_order_reference
from insight.faq.tuning import Observation, choose_threshold
from insight.faq.vectors import EntryVectorIndex, VectorIndexConfig
from insight.settings import PROJECT_ROOT

POLICIES = """\
currency_symbol: "€"
returns:
  window_days: 30
shipping:
  free_threshold: 50
delivery_days:
  eu: "3–5"
countries: [Norway, Switzerland]
"""

FAQ = """\
topic: test
entries:
  - id: return_policy
    question: What is your return policy?
    paraphrases:
      - how many days do i have to return something
      - can i send an item back
      - return window
      - how long can i return products
    answer: You can return items within {returns_window_days} days.
  - id: free_shipping
    question: Do you offer free shipping?
    paraphrases:
      - is delivery free
      - free shipping threshold
      - when is shipping free of charge
      - do i pay for postage
    answer: Shipping is free from {currency_symbol}{shipping_free_threshold}.
  - id: delivery_eu
    question: How long does delivery to the EU take?
    paraphrases:
      - delivery time to france
      - how many days to ship to spain
      - eu delivery duration
      - shipping time to italy
    answer: EU deliveries take {delivery_days_eu} working days; we also ship to {countries}.
"""

TUNING = """\
in_scope:
  return_policy: ["how long is the return period"]
  free_shipping: ["is shipping free above some amount"]
  delivery_eu: ["delivery days to spain"]
out_of_scope:
  - what is the weather tomorrow
  - tell me a joke
  - who won the football
"""

FAST = FaqBuildConfig(adapter=AdapterConfig(epochs=3))


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    (folder / "faq").mkdir(parents=True)
    (folder / "policies.yml").write_text(POLICIES)
    (folder / "faq" / "test.yml").write_text(FAQ)
    (folder / "faq_tuning.yml").write_text(TUNING)
    return folder


def make_index(
    knowledge: Path,
    cache: Path,
    config: FaqBuildConfig = FAST,
    threshold: float | None = None,
) -> FaissFaqIndex:
    return FaissFaqIndex(knowledge, cache, FakeEncoder(), config, threshold)


# knowledge and placeholders


def test_answers_are_rendered_from_policies(knowledge: Path) -> None:
    answers = {entry.id: entry.answer for entry in load_faq_entries(knowledge)}
    assert answers["return_policy"] == "You can return items within 30 days."
    assert answers["free_shipping"] == "Shipping is free from €50."
    assert answers["delivery_eu"] == (
        "EU deliveries take 3–5 working days; we also ship to Norway, Switzerland."
    )


def test_unknown_placeholder_is_an_error(knowledge: Path) -> None:
    policies = load_policies(knowledge)
    with pytest.raises(KnowledgeError, match="restocking_fee"):
        render("A fee of {restocking_fee} applies.", policies, "test")
    faq = knowledge / "faq" / "test.yml"
    faq.write_text(faq.read_text().replace("{returns_window_days}", "{returns_window}"))
    with pytest.raises(KnowledgeError, match="returns_window"):
        load_faq_entries(knowledge)


def test_unquoted_yaml_mapping_is_rejected(knowledge: Path) -> None:
    faq = knowledge / "faq" / "test.yml"
    faq.write_text(faq.read_text().replace("- return window", "- note: return window"))
    with pytest.raises(KnowledgeError, match="not plain text"):
        load_faq_entries(knowledge)


def test_same_text_in_two_entries_is_rejected(knowledge: Path) -> None:
    faq = knowledge / "faq" / "test.yml"
    faq.write_text(faq.read_text().replace("- eu delivery duration", "- Return window!"))
    with pytest.raises(KnowledgeError, match="already belongs to return_policy"):
        load_faq_entries(knowledge)


# thresholds and answers


def test_answer_above_threshold_and_not_sure_below(knowledge: Path, tmp_path: Path) -> None:
    index = make_index(knowledge, tmp_path / "cache", threshold=0.5)
    answer = index.answer("What is your return policy?")
    assert answer is not None
    assert answer.entry_id == "return_policy"
    assert answer.answer == "You can return items within 30 days."
    assert answer.score == pytest.approx(1.0, abs=1e-3)
    assert answer.threshold == 0.5
    assert index.answer("quantum chromodynamics lecture notes") is None
    hits = index.search("quantum chromodynamics lecture notes", k=3)
    assert len(hits) == 3  # search always ranks; only answer() applies the threshold
    assert all(hit.score < 0.5 for hit in hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_threshold_override_beats_the_tuned_one(knowledge: Path, tmp_path: Path) -> None:
    strict = make_index(knowledge, tmp_path / "cache", threshold=1.01)
    assert strict.answer("What is your return policy?") is None
    tuned = make_index(knowledge, tmp_path / "cache")
    assert 0.0 < tuned.threshold <= 1.0
    assert tuned.threshold == tuned.build_info.threshold


def test_order_references_are_never_answered(knowledge: Path, tmp_path: Path) -> None:
    index = make_index(knowledge, tmp_path / "cache", threshold=0.1)
    query = "return window for order SS-100234"
    assert index.search(query, k=1)[0].entry_id == "return_policy"
    assert index.answer(query) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where is my order 123", True),
        ("Where is order SS-100234?", True),
        ("cancel #55120 please", True),
        ("parcel nr 4411 is missing", True),
        ("tracking JJ123456789DE has no updates", True),
        ("can I pay by invoice 1500 euros", False),
        ("is shipping free over 50", False),
        ("delivery time to 10115 Berlin", False),
        ("I ordered 3 days ago", False),
    ],
)
def test_order_reference_detection(text: str, expected: bool) -> None:
    assert mentions_order_reference(text) is expected


def test_threshold_choice_separates_in_scope_from_out_of_scope() -> None:
    loo = [Observation(score, True) for score in (0.8, 0.85, 0.9, 0.95)]
    tuning_in = [Observation(0.75, True), Observation(0.9, True)]
    oos = [Observation(score, False) for score in (0.3, 0.4, 0.5)]
    choice = choose_threshold(loo, tuning_in, oos, max_oos_answer_rate=0.0)
    assert 0.5 < choice.threshold < 0.75
    assert choice.correct_answer_rate == 1.0
    assert choice.oos_answer_rate == 0.0


def test_threshold_respects_the_out_of_scope_limit() -> None:
    loo = [Observation(score, True) for score in (0.6, 0.7, 0.8, 0.9)]
    oos = [Observation(0.65, False), *[Observation(0.2, False)] * 9]
    lenient = choose_threshold(loo, [], oos, false_answer_weight=0.1, max_oos_answer_rate=0.2)
    strict = choose_threshold(loo, [], oos, false_answer_weight=0.1, max_oos_answer_rate=0.0)
    assert lenient.threshold < 0.6
    assert 0.65 < strict.threshold < 0.7


def test_questions_the_reader_is_sure_of_get_a_lower_threshold_within_the_oos_limit() -> None:
    loo = [Observation(score, True) for score in (0.8, 0.85, 0.9, 0.95)]
    # shoppers' FAQ questions the reader is sure of, scored below the plain threshold
    tuning_in = [Observation(score, True, asked=True) for score in (0.55, 0.6, 0.65)]
    oos = [
        *[Observation(0.3, False)] * 17,
        Observation(0.7, False),  # keeps the plain threshold above 0.7
        Observation(0.5, False, asked=True),  # an off-topic question the reader took for FAQ
        Observation(0.62, False),  # not asked: the lower threshold must not answer it
    ]
    choice = choose_threshold(loo, tuning_in, oos, max_oos_answer_rate=0.0)
    assert 0.7 < choice.threshold < 0.8
    assert 0.5 < choice.asked_threshold < 0.55
    assert choice.asked_n == 4
    assert choice.asked_correct_answer_rate > choice.correct_answer_rate
    assert choice.asked_oos_answer_rate == 0.0

    unread = [Observation(o.score, o.correct) for o in tuning_in]
    assert (
        choose_threshold(loo, unread, oos).asked_threshold
        == choose_threshold(loo, unread, oos).threshold
    )  # no reader: one threshold


# artefact cache


def test_build_is_cached_until_an_input_changes(knowledge: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    encoder = FakeEncoder()
    first = ensure_faq_artefact(knowledge, cache, encoder, FAST)
    assert first.built
    assert first.path == cache / "artefacts" / f"faq-{first.fingerprint}"
    assert (first.path / "meta.json").exists()
    again = ensure_faq_artefact(knowledge, cache, encoder, FAST)
    assert (again.built, again.path) == (False, first.path)

    faq = knowledge / "faq" / "test.yml"
    faq.write_text(faq.read_text().replace("return window", "returns deadline"))
    edited = ensure_faq_artefact(knowledge, cache, encoder, FAST)
    assert edited.built
    assert edited.fingerprint != first.fingerprint

    policies = knowledge / "policies.yml"
    policies.write_text(policies.read_text().replace("window_days: 30", "window_days: 14"))
    repriced = ensure_faq_artefact(knowledge, cache, encoder, FAST)
    assert repriced.built
    assert repriced.fingerprint not in {first.fingerprint, edited.fingerprint}

    forced = ensure_faq_artefact(knowledge, cache, encoder, FAST, force=True)
    assert (forced.built, forced.path) == (True, repriced.path)


def test_fingerprint_covers_tuning_set_encoder_and_config(knowledge: Path) -> None:
    base = faq_fingerprint(knowledge, "fake", FAST)
    assert faq_fingerprint(knowledge, "other-encoder", FAST) != base
    assert faq_fingerprint(knowledge, "fake", FAST, "emotion-0123") != base
    assert faq_fingerprint(knowledge, "fake", FaqBuildConfig(adapter=None)) != base
    (knowledge / "faq_tuning.yml").write_text(TUNING + "  - one more question\n")
    assert faq_fingerprint(knowledge, "fake", FAST) != base


def test_index_serves_the_artefact_for_the_current_policies(
    knowledge: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    before = make_index(knowledge, cache, threshold=0.5)
    assert before.build_info.built  # nothing cached yet: built on first use
    assert make_index(knowledge, cache).build_info.built is False
    policies = knowledge / "policies.yml"
    policies.write_text(policies.read_text().replace("window_days: 30", "window_days: 14"))
    after = make_index(knowledge, cache, threshold=0.5)
    answer = after.answer("What is your return policy?")
    assert answer is not None
    assert answer.answer == "You can return items within 14 days."
    assert after.build_info.built
    assert after.build_info.path != before.build_info.path


def test_constructor_stores_configuration_only(knowledge: Path, tmp_path: Path) -> None:
    make_index(knowledge, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


# index choice and search


def test_exact_index_up_to_the_limit_and_hnsw_above() -> None:
    config = VectorIndexConfig(exact_max_rows=100)
    assert config.kind_for(100) == "flat"
    assert config.kind_for(101) == "hnsw"
    rng = np.random.default_rng(1)
    stored = normalise_rows(rng.standard_normal((300, 32)))
    index = EntryVectorIndex.build(stored, np.arange(300, dtype=np.int64), config)
    assert index.kind == "hnsw"
    top = [hits[0][0] for hits in index.search(stored[:50], 1)]
    assert top == list(range(50))


def test_hnsw_artefact_above_the_size_threshold(knowledge: Path, tmp_path: Path) -> None:
    config = FaqBuildConfig(vectors=VectorIndexConfig(exact_max_rows=5), adapter=None)
    index = make_index(knowledge, tmp_path / "cache", config, threshold=0.5)
    assert index.build_info.index_kind == "hnsw"
    assert index.build_info.rows == 15
    answer = index.answer("Do you offer free shipping?")
    assert answer is not None
    assert answer.entry_id == "free_shipping"
    small = make_index(knowledge, tmp_path / "cache2", FaqBuildConfig(adapter=None))
    assert small.build_info.index_kind == "flat"


def test_entries_rank_by_their_best_row_and_all_k_are_found() -> None:
    query = np.array([[1.0, 0.0, 0.0]], dtype=np.float32)
    crowd = normalise_rows(np.array([[0.9, 0.4, 0.0]] * 40))  # entry 0: 40 similar rows
    rows = np.vstack([crowd, normalise_rows(np.array([[0.99, 0.1, 0.0], [0.0, 0.0, 1.0]]))])
    row_entry = np.array([0] * 40 + [1, 2], dtype=np.int64)
    index = EntryVectorIndex.build(rows, row_entry, VectorIndexConfig())
    ranked = index.search(query, 3)[0]
    assert [entry for entry, _ in ranked] == [1, 0, 2]  # entry 2 lies beyond the first window
    assert ranked[0][1] == pytest.approx(0.995, abs=1e-3)


def test_adapter_pulls_paraphrases_of_one_entry_together() -> None:
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((6, 16))
    vectors = normalise_rows(np.repeat(centres, 5, axis=0) + rng.standard_normal((30, 16)) * 0.9)
    row_entry = np.repeat(np.arange(6), 5).astype(np.int64)
    weights = train_adapter(vectors, row_entry, AdapterConfig(epochs=60, learning_rate=1e-2))
    assert weights.shape == (16, 16)
    assert weights.dtype == np.float32

    def margin(rows: np.typing.NDArray[np.float32]) -> float:
        sims = rows @ rows.T
        same = row_entry[:, None] == row_entry[None, :]
        np.fill_diagonal(same, False)
        other = row_entry[:, None] != row_entry[None, :]
        return float(sims[same].mean() - sims[other].mean())

    projected = project(vectors, weights)
    assert np.allclose(np.linalg.norm(projected, axis=1), 1.0, atol=1e-5)
    assert margin(projected) > margin(vectors)


def test_fake_encoder_is_deterministic_and_normalised() -> None:
    texts = ["free shipping", "free shiping", "weather today"]
    encoder = FakeEncoder(dim=32)
    first = encoder.encode(texts)
    assert np.array_equal(first, FakeEncoder(dim=32).encode(texts))
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert first[0] @ first[1] > first[0] @ first[2]  # a typo stays close
    assert encoder.encode([]).shape == (0, 32)


def test_fake_faq_index_honours_the_contract() -> None:
    entry = FaqEntry("free_shipping", "shipping", "Do you offer free shipping?", (), "Yes.")
    index: FaqIndex = FakeFaqIndex([entry], threshold=0.5)
    assert index.search("do you offer free shipping", k=3)[0].entry_id == "free_shipping"
    assert index.answer("do you offer free shipping") is not None
    assert index.answer("tell me a joke") is None


# evaluation and benchmark plumbing


def test_evaluation_metrics_and_leak_guard(knowledge: Path, tmp_path: Path) -> None:
    index = make_index(knowledge, tmp_path / "cache", threshold=0.5)
    heldout = [
        ("how many days for returning something", "return_policy"),
        ("is postage free", "free_shipping"),
        ("shipping time to spain", "delivery_eu"),
    ]
    report = evaluate_faq(index, heldout, ["tell me a joke about cats", "order SS-100234"])
    assert report.n == 3
    assert report.n_oos == 2
    assert report.recall_at_1 <= report.recall_at_3 <= 1.0
    assert report.recall_at_1 <= report.mrr <= 1.0
    assert report.oos_refused_by_order_rule == 1
    assert set(report.as_results()) >= {
        "recall_at_1",
        "recall_at_3",
        "mrr",
        "oos_false_answer_rate",
        "n",
        "threshold",
    }
    with pytest.raises(ValueError, match="not held out"):
        evaluate_faq(index, [("Return window", "return_policy")], ["tell me a joke"])


def test_benchmark_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    row = bench_size(400, FakeEncoder(), VectorIndexConfig(exact_max_rows=100), queries=5)
    assert row["entries"] == 400
    assert row["index"] == "hnsw"
    assert 0 < row["search_p50"] <= row["p50"]
    assert 0.0 <= row["recall_at_1_vs_exact"] <= 1.0
    monkeypatch.setenv("SHOPSENSE_BENCH_RESULTS", str(tmp_path))
    rows = run_faq_bench(sizes=(50, 200), queries=3, encoder=FakeEncoder())
    assert [r["entries"] for r in rows] == [50, 200]
    written = json.loads((tmp_path / "latest.json").read_text())["faq_query_ms"]
    assert [r["entries"] for r in written] == [50, 200]


# the shop's real knowledge files (no model needed)


def test_shop_knowledge_and_evaluation_data_are_complete() -> None:
    knowledge = PROJECT_ROOT / "knowledge"
    entries = load_faq_entries(knowledge)
    ids = {entry.id for entry in entries}
    assert len(entries) >= 80
    assert all(4 <= len(entry.paraphrases) <= 8 for entry in entries)
    assert all("{" not in entry.answer and "}" not in entry.answer for entry in entries)
    indexed = {normalise_text(text) for entry in entries for text in entry.texts}

    heldout = load_labelled_queries(DEFAULT_DATA_DIR / "heldout.yml", ids).in_scope
    per_entry = {entry_id: 0 for entry_id in ids}
    for _, entry_id in heldout:
        per_entry[entry_id] += 1
    assert min(per_entry.values()) >= 2
    out_of_scope = load_labelled_queries(DEFAULT_DATA_DIR / "out_of_scope.yml", ids).out_of_scope
    assert len(out_of_scope) >= 100
    tuning = load_labelled_queries(knowledge / "faq_tuning.yml", ids)

    evaluation = {normalise_text(q) for q, _ in heldout} | {normalise_text(q) for q in out_of_scope}
    tuning_texts = {normalise_text(q) for q, _ in tuning.in_scope}
    tuning_texts |= {normalise_text(q) for q in tuning.out_of_scope}
    assert not evaluation & indexed
    assert not evaluation & tuning_texts


@pytest.mark.slow
def test_real_minilm_retrieves_paraphrases(tmp_path: Path) -> None:
    index = FaissFaqIndex(PROJECT_ROOT / "knowledge", tmp_path / "cache", MiniLMEncoder())
    expectations = {
        "can you deliver my parcel to Oslo": "non_eu_delivery",
        "how much time do I have to send a laptop back": "return_policy",
        "my new earphones are faulty, how do I get them repaired": "warranty_claim",
    }
    for query, entry_id in expectations.items():
        assert index.search(query, k=1)[0].entry_id == entry_id, query
    answer = index.answer("do you accept paypal and apple pay")
    assert answer is not None
    assert answer.entry_id == "payment_methods"
    assert index.answer("what's the weather like in Rome tomorrow") is None
