"""Greeting, people, fallbacks, FAQ and CSAT actions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

from actions.answer_faq import ActionAnswerFaq
from actions.default_fallback import ActionDefaultFallback
from actions.greet import ActionGreet
from actions.handoff import ActionHandoff
from actions.offer_human import ActionOfferHuman
from actions.save_csat import ActionSaveCsat
from insight.db.models import CsatResponse
from insight.faq.contracts import FakeFaqIndex
from tests.action_kit import RETURN_POLICY, Store, responses, run, slot_events, tracker


def _slot(name: str, value: object) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def _said(response: str) -> dict[str, Any]:
    return {"event": "bot", "text": "…", "metadata": {"utter_action": response}}


def test_a_returning_customer_is_greeted_by_first_name_and_no_more(store: Store) -> None:
    _, known = run(
        ActionGreet(lambda: store.services), tracker("hi", "greet", customer_id=store.ada)
    )
    _, guest = run(ActionGreet(lambda: store.services), tracker("hi", "greet"))

    assert responses(known) == ["utter_greet_known"]
    assert set(known[0]) - {
        "response",
        "text",
        "buttons",
        "elements",
        "custom",
        "template",
        "image",
        "attachment",
    } == {"first_name"}
    assert known[0]["first_name"] == "Ada"
    assert responses(guest) == ["utter_greet"]


# --- people ---------------------------------------------------------------------------------


def test_offering_a_person_remembers_why() -> None:
    complaint, said = run(ActionOfferHuman(), tracker("this is unacceptable", "complain"))
    upset, _ = run(ActionOfferHuman(), tracker(slots={"tone": "upset"}))
    unsure, _ = run(ActionOfferHuman(), tracker("blorp", "nlu_fallback"))

    assert responses(said) == ["utter_offer_human"]
    assert slot_events(complaint) == {"handoff_reason": "complaint"}
    assert slot_events(upset)["handoff_reason"] == "upset"
    assert slot_events(unsure)["handoff_reason"] == "not_understood"


def test_the_handoff_pauses_and_tells_the_gateway_why_and_how_urgently() -> None:
    events, messages = run(ActionHandoff(), tracker("I want a human", "request_human"))

    assert responses(messages) == ["utter_handoff"]
    assert messages[0]["custom"] == {"handoff": {"reason": "shopper_asked", "priority": 0.4}}
    assert events[-1] == {"event": "pause", "timestamp": None}


def test_an_accepted_offer_keeps_its_reason_and_an_upset_shopper_comes_first() -> None:
    accepted = tracker(
        "yes",
        "affirm",
        slots={"handoff_reason": "complaint", "tone": "calm"},
        events=[{"event": "user", "text": "this is awful"}, _slot("tone", "upset")],
    )

    _, messages = run(ActionHandoff(), accepted)

    assert messages[0]["custom"] == {"handoff": {"reason": "complaint", "priority": 0.8}}


# --- fallback -------------------------------------------------------------------------------


def test_the_first_fallback_asks_to_rephrase_the_second_offers_a_person() -> None:
    _, first = run(ActionDefaultFallback(), tracker("blorp", "nlu_fallback"))
    events, second = run(
        ActionDefaultFallback(),
        tracker("fnarg", "nlu_fallback", events=[_said("utter_default")]),
    )

    assert responses(first) == ["utter_default"]
    assert responses(second) == ["utter_still_unsure"]
    assert events == [{"event": "followup", "timestamp": None, "name": "action_offer_human"}]


# --- FAQ ------------------------------------------------------------------------------------


def test_a_faq_is_answered_from_the_index(store: Store) -> None:
    events, messages = run(
        ActionAnswerFaq(lambda: store.services),
        tracker("how many days do i have to return something", "ask_faq"),
    )

    assert responses(messages) == ["utter_faq_answer"]
    assert messages[0]["answer"] == "You can return any item within 30 days of delivery."
    assert slot_events(events) == {"task_resolved": True}


def test_an_unsure_faq_says_so_and_offers_a_person(store: Store) -> None:
    events, messages = run(
        ActionAnswerFaq(lambda: store.services), tracker("can I bring my dog", "ask_faq")
    )

    assert responses(messages) == ["utter_faq_not_sure"]
    assert events == [{"event": "followup", "timestamp": None, "name": "action_offer_human"}]


def test_the_gateways_faq_hit_is_answered_without_searching_again(store: Store) -> None:
    hit = {
        "id": "shipping-norway",
        "question": "Do you ship to Norway?",
        "answer": "Yes, we ship to Norway in 3-5 working days.",
        "score": 0.91,
    }
    action = ActionAnswerFaq(lambda: store.services)

    sure, told = run(action, tracker("u ship to norway??", "ask_faq", metadata={"faq": [hit]}))
    low = {"faq": [{**hit, "score": 0.2}]}
    _, unsure = run(action, tracker("u ship to norway??", "ask_faq", metadata=low))
    # a malformed hit is ignored: the action searches its own index
    bad = {"faq": [{**hit, "score": "high"}]}
    _, searched = run(
        action, tracker("how many days do i have to return something", "ask_faq", metadata=bad)
    )

    assert [m["answer"] for m in told] == ["Yes, we ship to Norway in 3-5 working days."]
    assert slot_events(sure) == {"task_resolved": True}
    assert responses(unsure) == ["utter_faq_not_sure"]
    assert searched[0]["answer"] == "You can return any item within 30 days of delivery."


def test_a_question_the_reader_is_sure_of_is_answered_from_the_lower_threshold(
    store: Store,
) -> None:
    faq = FakeFaqIndex([RETURN_POLICY], threshold=0.5, asked_threshold=0.3)
    action = ActionAnswerFaq(lambda: replace(store.services, faq=faq))
    hit = {
        "id": RETURN_POLICY.id,
        "question": RETURN_POLICY.question,
        "answer": RETURN_POLICY.answer,
        "score": 0.4,  # between the two thresholds
    }

    def reading(name: str, confidence: float) -> dict[str, Any]:
        ranking = [{"name": name, "confidence": confidence}]
        return {"name": name, "confidence": confidence, "threshold": 0.7, "ranking": ranking}

    def answer(intent: dict[str, Any] | None) -> list[str]:
        metadata: dict[str, Any] = {"faq": [hit]}
        if intent is not None:
            metadata["intent"] = intent
        _, messages = run(action, tracker("can i still send it back", "ask_faq", metadata=metadata))
        return responses(messages)

    assert answer(reading("ask_faq", 0.95)) == ["utter_faq_answer"]
    assert answer(reading("ask_faq", 0.6)) == ["utter_faq_not_sure"]  # the reader doubts
    assert answer(reading("return_item", 0.95)) == ["utter_faq_not_sure"]
    assert answer(None) == ["utter_faq_not_sure"]  # no reading (Rasa's REST channel)


# --- CSAT -----------------------------------------------------------------------------------


def _csat_rows(store: Store) -> list[tuple[str, int | None, int, str | None]]:
    with store.sessions() as session:
        return [
            (r.conversation_id, r.customer_id, r.score, r.comment)
            for r in session.scalars(select(CsatResponse))
        ]


def test_csat_is_stored_for_the_conversation_and_the_known_shopper(store: Store) -> None:
    answered = tracker(
        "quick and kind",
        slots={"csat_score": 5, "csat_comment": "quick and kind"},
        customer_id=store.ada,
        sender_id="conv-42",
    )

    events, messages = run(ActionSaveCsat(lambda: store.services), answered)

    assert responses(messages) == ["utter_csat_thanks"]
    assert _csat_rows(store) == [("conv-42", store.ada, 5, "quick and kind")]
    assert slot_events(events) == {
        "csat_score": None,
        "csat_comment": None,
        "form_blocked": None,
        "task_resolved": False,
    }


def test_csat_without_a_comment_or_declined(store: Store) -> None:
    action = ActionSaveCsat(lambda: store.services)

    run(action, tracker(slots={"csat_score": 3, "csat_comment": ""}, sender_id="guest-1"))
    _, declined = run(action, tracker(slots={"form_blocked": True}, sender_id="guest-2"))

    assert _csat_rows(store) == [("guest-1", None, 3, None)]
    assert responses(declined) == ["utter_csat_skipped"]
