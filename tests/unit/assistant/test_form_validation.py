"""The forms' validation: guest verification, refusals that end a form, slot checks."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.order_forms import OrderFormValidation
from actions.validate_address_form import ValidateAddressForm
from actions.validate_cancel_form import ValidateCancelForm
from actions.validate_csat_form import ValidateCsatForm
from actions.validate_order_history_form import ValidateOrderHistoryForm
from actions.validate_order_status_form import ValidateOrderStatusForm
from actions.validate_refund_status_form import ValidateRefundStatusForm
from actions.validate_return_form import ValidateReturnForm
from tests.action_kit import Store, responses, tracker

ORDER_SLOTS = ["order_number", "email", "cancel_confirmed"]
DOMAIN: dict[str, Any] = {"forms": {"cancel_form": {"required_slots": ORDER_SLOTS}}}


def _validate(
    form: Any, slot: str, value: Any, shopper: Tracker
) -> tuple[dict[str, Any], list[str], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    result = getattr(form, f"validate_{slot}")(value, dispatcher, shopper, {})
    return result, responses(dispatcher.messages), dispatcher


def _required(
    form: OrderFormValidation | ValidateCsatForm, shopper: Tracker, slots: list[str]
) -> list[str]:
    return asyncio.run(form.required_slots(slots, CollectingDispatcher(), shopper, DOMAIN))


# --- who is asked what ----------------------------------------------------------------------


def test_a_guest_is_asked_for_order_and_email_a_known_shopper_never_for_the_email(
    store: Store,
) -> None:
    form = ValidateCancelForm(lambda: store.services)

    assert _required(form, tracker(), ORDER_SLOTS) == ORDER_SLOTS
    assert _required(form, tracker(customer_id=store.ada), ORDER_SLOTS) == [
        "order_number",
        "cancel_confirmed",
    ]
    verified = tracker(slots={"verified_customer_id": store.ben})
    assert _required(form, verified, ORDER_SLOTS) == ["order_number", "cancel_confirmed"]
    blocked = tracker(slots={"form_blocked": True}, customer_id=store.ada)
    assert _required(form, blocked, ORDER_SLOTS) == []


def test_questions_about_orders_ask_a_known_shopper_nothing(store: Store) -> None:
    for form in (
        ValidateOrderStatusForm(lambda: store.services),
        ValidateRefundStatusForm(lambda: store.services),
        ValidateOrderHistoryForm(lambda: store.services),
    ):
        assert _required(form, tracker(customer_id=store.ada), ["order_number", "email"]) == []
        assert _required(form, tracker(), ["order_number", "email"]) == ["order_number", "email"]


def test_a_known_shopper_who_names_no_order_means_the_latest_one_for_the_task(
    store: Store,
) -> None:
    dispatcher = CollectingDispatcher()
    cancel = ValidateCancelForm(lambda: store.services)
    returns = ValidateReturnForm(lambda: store.services)
    status = ValidateOrderStatusForm(lambda: store.services)

    assert cancel.extract_order_number(dispatcher, tracker(customer_id=store.ada), {}) == {
        "order_number": "SS-100002"
    }
    assert returns.extract_order_number(dispatcher, tracker(customer_id=store.cleo), {}) == {
        "order_number": "SS-100004"
    }
    assert status.extract_order_number(dispatcher, tracker(customer_id=store.ada), {}) == {}
    named = tracker(slots={"order_number": "SS-100001"}, customer_id=store.ada)
    assert cancel.extract_order_number(dispatcher, named, {}) == {}


def test_a_guest_asked_for_the_number_may_type_it_in_any_shape(store: Store) -> None:
    form = ValidateCancelForm(lambda: store.services)
    asked = tracker("it's ss 100003 I think", "inform", slots={"requested_slot": "order_number"})

    assert form.extract_order_number(CollectingDispatcher(), asked, {}) == {
        "order_number": "SS-100003"
    }
    assert form.extract_order_number(CollectingDispatcher(), tracker("hello"), {}) == {}


# --- guest verification ---------------------------------------------------------------------


def test_a_guest_is_verified_by_order_number_and_the_accounts_email(store: Store) -> None:
    form = ValidateCancelForm(lambda: store.services)
    shopper = tracker(slots={"order_number": "SS-100003"})

    result, said, _ = _validate(form, "email", "BEN@example.com", shopper)

    assert result == {
        "order_number": "SS-100003",
        "email": "ben@example.com",
        "verified_customer_id": store.ben,
        "verification_attempts": 0,
    }
    assert said == []


def test_a_wrong_email_is_not_verified_and_three_failures_end_the_form(store: Store) -> None:
    form = ValidateCancelForm(lambda: store.services)

    first, said, _ = _validate(
        form, "email", "ada@example.com", tracker(slots={"order_number": "SS-100003"})
    )
    assert first == {"order_number": None, "email": None, "verification_attempts": 1}
    assert said == ["utter_verification_failed"]

    last_try = tracker(slots={"order_number": "SS-100003", "verification_attempts": 2})
    last, said, _ = _validate(form, "email", "ada@example.com", last_try)
    assert last["form_blocked"] is True
    assert "verified_customer_id" not in last
    assert said == ["utter_verification_locked"]


def _guess(
    form: Any, number: str, email: str, conversation: str
) -> tuple[dict[str, Any], list[str]]:
    """One try in a conversation of its own: its slots start empty."""
    shopper = tracker(slots={"order_number": number}, sender_id=conversation)
    result, said, _ = _validate(form, "email", email, shopper)
    return result, said


def test_new_conversations_do_not_buy_more_tries_at_one_order_number(store: Store) -> None:
    """Three tries a conversation, but a new conversation is free: past five failed tries in
    any conversations even the right email is refused, in the words of a conversation's last."""
    form = ValidateCancelForm(lambda: store.services)
    for n in range(5):
        _, said = _guess(form, "SS-100003", f"guess-{n}@example.com", f"attacker-{n}")
        assert said == ["utter_verification_failed"]

    locked, said = _guess(form, "SS-100003", "ben@example.com", "attacker-5")

    assert said == ["utter_verification_locked"]
    assert locked["form_blocked"] is True and "verified_customer_id" not in locked


def test_a_locked_order_number_reads_the_same_whether_the_order_exists(store: Store) -> None:
    form = ValidateCancelForm(lambda: store.services)

    def replies(number: str, who: str) -> list[list[str]]:
        return [_guess(form, number, f"{who}-{n}@example.com", f"{who}-{n}")[1] for n in range(7)]

    real, missing = replies("SS-100003", "a"), replies("SS-999999", "b")

    assert real == missing
    assert real[-2:] == [["utter_verification_locked"]] * 2


def test_an_email_before_the_order_number_is_kept_and_checked_with_it(store: Store) -> None:
    form = ValidateCancelForm(lambda: store.services)

    early, _, _ = _validate(form, "email", "ben@example.com", tracker())
    later, _, _ = _validate(
        form, "order_number", "SS-100003", tracker(slots={"email": "ben@example.com"})
    )

    assert early == {"email": "ben@example.com"}
    assert later["verified_customer_id"] == store.ben


def test_malformed_numbers_and_emails_are_asked_again(store: Store) -> None:
    form = ValidateCancelForm(lambda: store.services)

    number, said_number, _ = _validate(form, "order_number", "my order", tracker())
    email, said_email, _ = _validate(form, "email", "ben at example", tracker())

    assert (number, said_number) == ({"order_number": None}, ["utter_invalid_order_number"])
    assert (email, said_email) == ({"email": None}, ["utter_invalid_email"])


# --- refusals end the form ------------------------------------------------------------------


def test_the_cancel_form_stops_at_once_for_a_shipped_order(store: Store) -> None:
    form = ValidateCancelForm(lambda: store.services)

    result, said, _ = _validate(form, "order_number", "SS-100001", tracker(customer_id=store.ada))

    assert result == {"order_number": "SS-100001", "form_blocked": True}
    assert said == ["utter_cancel_refused_dispatched"]


def test_the_forms_never_accept_another_customers_order(store: Store) -> None:
    for form in (
        ValidateCancelForm(lambda: store.services),
        ValidateAddressForm(lambda: store.services),
        ValidateReturnForm(lambda: store.services),
    ):
        result, said, _ = _validate(
            form, "order_number", "SS-100003", tracker(customer_id=store.ada)
        )
        assert result["form_blocked"] is True
        assert said == ["utter_order_not_found"]


def test_a_verified_guest_meets_the_same_refusals(store: Store) -> None:
    form = ValidateAddressForm(lambda: store.services)
    shopper = tracker(slots={"order_number": "SS-100001"})

    result, said, _ = _validate(form, "email", "ada@example.com", shopper)

    assert result["verified_customer_id"] == store.ada
    assert result["form_blocked"] is True
    assert said == ["utter_address_refused_dispatched"]


def test_the_return_form_refuses_a_late_return_and_prefills_a_single_item(store: Store) -> None:
    form = ValidateReturnForm(lambda: store.services)
    cleo = tracker(customer_id=store.cleo)

    late, said_late, dispatcher = _validate(form, "order_number", "SS-100005", cleo)
    single, said_single, _ = _validate(form, "order_number", "SS-100004", cleo)

    assert late == {"order_number": "SS-100005", "form_blocked": True}
    assert said_late == ["utter_return_refused_window_passed"]
    assert dispatcher.messages[0]["deadline"] == "Wed 21 Oct"
    assert (single, said_single) == ({"order_number": "SS-100004"}, [])


# --- the other slots ------------------------------------------------------------------------


def test_the_new_address_is_checked_part_by_part(store: Store) -> None:
    form = ValidateAddressForm(lambda: store.services)

    assert _validate(form, "address_street", "Baker Street", tracker())[:2] == (
        {"address_street": None},
        ["utter_invalid_street"],
    )
    assert _validate(form, "address_street", "12 Baker Street", tracker())[0] == {
        "address_street": "12 Baker Street"
    }
    assert _validate(form, "address_city", "oslo", tracker())[0] == {"address_city": "Oslo"}
    assert _validate(form, "address_city", "12345", tracker())[1] == ["utter_invalid_city"]
    assert _validate(form, "address_postcode", "nw1 6xe", tracker())[0] == {
        "address_postcode": "NW1 6XE"
    }
    assert _validate(form, "address_postcode", "??", tracker())[1] == ["utter_invalid_postcode"]


def test_the_returned_item_reason_and_refund_method_are_understood(store: Store) -> None:
    form = ValidateReturnForm(lambda: store.services)
    cleo = tracker(slots={"order_number": "SS-100004"}, customer_id=store.cleo)

    assert _validate(form, "return_item", "the laptop", cleo)[0] == {
        "return_item": "Aero 14 Laptop"
    }
    unknown, said, _ = _validate(form, "return_item", "a fridge", cleo)
    assert (unknown, said) == ({"return_item": None}, ["utter_invalid_return_item"])
    assert _validate(form, "return_reason", "  too   small ", cleo)[0] == {
        "return_reason": "too small"
    }
    assert _validate(form, "refund_method", "store credit please", cleo)[0] == {
        "refund_method": "store_credit"
    }
    assert _validate(form, "refund_method", "hmm", cleo)[1] == ["utter_invalid_refund_method"]


def test_csat_takes_a_score_a_declined_question_ends_it_and_no_means_no_comment(
    store: Store,
) -> None:
    form = ValidateCsatForm(lambda: store.services)

    assert _validate(form, "csat_score", "4 out of 5", tracker("4 out of 5", "rate"))[0] == {
        "csat_score": 4
    }
    assert _validate(form, "csat_score", "no thanks", tracker("no thanks", "deny"))[0] == {
        "csat_score": None,
        "form_blocked": True,
    }
    assert _validate(form, "csat_score", "purple", tracker("purple", "inform"))[1] == [
        "utter_invalid_csat_score"
    ]
    assert _validate(form, "csat_comment", "no", tracker("no", "deny"))[0] == {"csat_comment": ""}
    assert _validate(
        form, "csat_comment", "quick  and kind", tracker("quick and kind", "give_feedback")
    )[0] == {"csat_comment": "quick and kind"}
    assert _validate(form, "csat_comment", "quick, bye", tracker("quick, bye", "goodbye"))[0] == {
        "csat_comment": "quick, bye"
    }
