"""The voucher and retention actions over a seeded shop: what a shopper is told about a code,
and who gets a goodwill code after a complaint or a cancellation."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.check_voucher import ActionCheckVoucher
from actions.offer_retention import ActionOfferRetention
from actions.validate_voucher_form import ValidateVoucherForm
from tests.action_kit import Store, entity, responses, run, slot_events, tracker
from tests.factories import profile_row

DOMAIN: dict[str, Any] = {"forms": {"voucher_form": {"required_slots": ["voucher_code"]}}}


def _extracted(shopper: Tracker) -> dict[str, Any]:
    form = ValidateVoucherForm()
    events = asyncio.run(form.get_extraction_events(CollectingDispatcher(), shopper, DOMAIN))
    return slot_events(events)


def _check(
    store: Store, code: str, text: str = "", customer_id: int | None = None
) -> list[dict[str, Any]]:
    events, messages = run(
        ActionCheckVoucher(lambda: store.services),
        tracker(
            text or f"{code} doesn't work",
            "voucher_problem",
            slots={"voucher_code": code},
            customer_id=customer_id,
        ),
    )
    assert slot_events(events) == {"voucher_code": None, "task_resolved": True}
    return messages


def test_the_code_is_read_from_the_request_or_from_the_answer_to_the_question() -> None:
    asked = tracker("my code save10 doesn't work", "voucher_problem")
    assert _extracted(asked) == {"voucher_code": "SAVE10"}
    by_entity = tracker(
        "why won't it apply", "voucher_problem", [entity("voucher_code", "welcome15")]
    )
    assert _extracted(by_entity) == {"voucher_code": "WELCOME15"}
    answer = tracker("FREESHIP", "inform", slots={"requested_slot": "voucher_code"})
    assert _extracted(answer) == {"voucher_code": "FREESHIP"}
    assert _extracted(tracker("my discount code doesn't work", "voucher_problem")) == {}
    assert _extracted(tracker("where is SAVE10", "check_order_status")) == {}


def test_a_basket_under_the_minimum_is_told_the_minimum_and_what_is_missing(store: Store) -> None:
    messages = _check(store, "SAVE10", "SAVE10 won't apply, my basket is €30", store.ada)
    assert responses(messages) == ["utter_voucher_below_minimum"]
    assert (messages[0]["minimum"], messages[0]["total"], messages[0]["missing"]) == (
        "€50.00",
        "€30.00",
        "€20.00",
    )


def test_the_pending_order_is_the_basket_of_a_known_shopper(store: Store) -> None:
    below = _check(store, "WELCOME15", customer_id=store.ben)  # his unpaid order: €99.90
    assert responses(below) == ["utter_voucher_below_minimum"]
    assert below[0]["total"] == "€99.90"
    excluded = _check(store, "TECH5", customer_id=store.ben)
    assert responses(excluded) == ["utter_voucher_excluded"]
    assert excluded[0]["category"] == "Headphones"


def test_dates_and_uses_are_said_as_they_are(store: Store) -> None:
    expired = _check(store, "SUMMER20", customer_id=store.ada)
    assert (responses(expired), expired[0]["valid_until"]) == (
        ["utter_voucher_expired"],
        "Thu 1 Oct",
    )
    early = _check(store, "XMAS25", customer_id=store.ada)
    assert (responses(early), early[0]["valid_from"]) == (
        ["utter_voucher_not_yet_valid"],
        "Sat 5 Dec",
    )
    assert responses(_check(store, "FLASH50")) == ["utter_voucher_limit_reached"]
    assert responses(_check(store, "ADAGIFT", customer_id=store.ada)) == ["utter_voucher_used"]
    assert responses(_check(store, "NOPE99")) == ["utter_voucher_unknown"]


def test_someone_elses_code_says_only_that_it_is_not_valid_for_this_account(store: Store) -> None:
    for customer in (store.ada, None):
        messages = _check(store, "BENVIP20", customer_id=customer)
        assert responses(messages) == ["utter_voucher_not_yours"]
        assert {
            k: v for k, v in messages[0].items() if v and k not in ("response", "template")
        } == {"code": "BENVIP20"}


def test_a_valid_code_says_what_it_gives_and_on_what_conditions(store: Store) -> None:
    messages = _check(store, "SAVE10", customer_id=store.ada)
    assert responses(messages) == ["utter_voucher_valid_percent", "utter_voucher_needs_minimum"]
    assert (messages[0]["percent"], messages[1]["minimum"]) == ("10", "€50.00")
    tech = _check(store, "TECH5", "TECH5 doesn't work, basket is 60 euros", store.ada)
    assert responses(tech) == ["utter_voucher_valid_amount", "utter_voucher_excludes"]
    assert (tech[0]["amount"], tech[1]["categories"]) == ("€5.00", "Headphones")


def _at_risk(store: Store, customer_id: int, spent: float = 1500.0) -> None:
    with store.sessions.begin() as session:
        session.add(profile_row(customer_id, churn_risk=0.9, spent=spent))


def test_a_valuable_customer_at_risk_gets_one_goodwill_code_per_period(store: Store) -> None:
    _at_risk(store, store.ada)
    action = ActionOfferRetention(lambda: store.services)
    _, first = run(
        action, tracker("this is the worst shop ever", "complain", customer_id=store.ada)
    )
    assert responses(first) == ["utter_retention_offer"]
    assert first[0]["code"].startswith("THANKS-")
    assert (first[0]["percent"], first[0]["max_value"], first[0]["valid_until"]) == (
        "10",
        "€30.00",
        "Sun 20 Dec",
    )
    _, again = run(action, tracker("still angry", "complain", customer_id=store.ada))
    assert again == []
    checked = _check(store, first[0]["code"], customer_id=store.ada)
    assert responses(checked) == ["utter_voucher_valid_percent_capped", "utter_voucher_valid_until"]


def test_guests_and_customers_outside_the_policy_get_no_code(store: Store) -> None:
    _at_risk(store, store.ben, spent=100.0)
    action = ActionOfferRetention(lambda: store.services)
    assert run(action, tracker("awful service", "complain"))[1] == []
    assert run(action, tracker("awful service", "complain", customer_id=store.ben))[1] == []
    assert run(action, tracker("awful service", "complain", customer_id=store.cleo))[1] == []


def _after_cancelling(store: Store, confirmed: bool) -> Tracker:
    """Ada's tracker just after ``action_cancel_order``: the form's answer, then its reset."""
    asked = tracker("cancel SS-1", "cancel_order", customer_id=store.ada)
    events = [
        *asked.events,
        {"event": "slot", "name": "cancel_confirmed", "value": confirmed},
        {"event": "action", "name": "action_cancel_order"},
        {"event": "slot", "name": "cancel_confirmed", "value": None},
    ]
    return Tracker(
        asked.sender_id,
        {},
        asked.latest_message,
        events,
        False,
        None,
        {},
        "action_cancel_order",
    )


def test_a_shopper_who_keeps_the_order_is_not_offered_a_code(store: Store) -> None:
    _at_risk(store, store.ada)
    action = ActionOfferRetention(lambda: store.services)

    _, kept = run(action, _after_cancelling(store, confirmed=False))
    _, cancelled = run(action, _after_cancelling(store, confirmed=True))

    assert kept == []
    assert responses(cancelled) == ["utter_retention_offer"]
