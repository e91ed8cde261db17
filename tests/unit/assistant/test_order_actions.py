"""The order actions over a seeded shop: what they say, what they change, what they refuse."""

from __future__ import annotations

from sqlalchemy import select

from actions.ask_cancel_confirmed import ActionAskCancelConfirmed
from actions.ask_return_item import ActionAskReturnItem
from actions.cancel_order import ActionCancelOrder
from actions.change_address import ActionChangeAddress
from actions.check_order_status import ActionCheckOrderStatus
from actions.check_refund_status import ActionCheckRefundStatus
from actions.create_return import ActionCreateReturn
from actions.stop_task import ActionStopTask
from insight.db.models import Order, Return
from tests.action_kit import Store, entity, responses, run, slot_events, tracker


def _order(store: Store, number: str) -> Order:
    with store.sessions() as session:
        order = session.scalar(select(Order).where(Order.number == number))
        assert order is not None
        return order


# --- status ---------------------------------------------------------------------------------


def test_a_known_shopper_sees_their_latest_order_without_naming_it(store: Store) -> None:
    events, messages = run(
        ActionCheckOrderStatus(lambda: store.services),
        tracker("where is my order", "check_order_status", customer_id=store.ada),
    )

    assert responses(messages) == ["utter_order_status_paid"]
    assert messages[0]["order_number"] == "SS-100002"
    assert messages[0]["items"] == "2 x Quiet 2 Headphones"
    assert messages[0]["custom"]["order"]["number"] == "SS-100002"
    assert slot_events(events) == {"task_resolved": True}


def test_a_shipped_order_comes_with_carrier_history_and_eta(store: Store) -> None:
    _, messages = run(
        ActionCheckOrderStatus(lambda: store.services),
        tracker(
            "where is SS-100001",
            "check_order_status",
            [entity("order_number", "SS-100001")],
            customer_id=store.ada,
        ),
    )

    assert responses(messages) == ["utter_order_status_shipped", "utter_order_tracking"]
    tracking = messages[1]
    assert (tracking["carrier"], tracking["tracking_number"]) == ("DHL", "DHL123456")
    assert (tracking["last_update"], tracking["last_place"]) == (
        "Arrived at sorting centre",
        "Hamburg",
    )
    assert tracking["eta"] == "Sun 22 Nov"
    assert [e["where"] for e in messages[0]["custom"]["order"]["events"]] == ["Berlin", "Hamburg"]


def test_a_delivered_order_says_when(store: Store) -> None:
    _, messages = run(
        ActionCheckOrderStatus(lambda: store.services),
        tracker(slots={"order_number": "SS-100005"}, customer_id=store.cleo),
    )

    assert responses(messages) == ["utter_order_status_delivered", "utter_order_delivered_on"]
    assert messages[1]["delivered_on"] == "Mon 21 Sep"


def test_someone_elses_order_reads_as_not_found(store: Store) -> None:
    events, messages = run(
        ActionCheckOrderStatus(lambda: store.services),
        tracker(
            "where is SS-100003",
            "check_order_status",
            [entity("order_number", "SS-100003")],
            customer_id=store.ada,
        ),
    )

    assert responses(messages) == ["utter_order_not_found"]
    assert "custom" not in messages[0] or not messages[0]["custom"]
    assert events == []


def test_a_verified_guest_is_known_by_the_slot_and_an_unverified_one_is_told_nothing(
    store: Store,
) -> None:
    action = ActionCheckOrderStatus(lambda: store.services)

    _, verified = run(action, tracker(slots={"verified_customer_id": store.ben}))
    events, unverified = run(action, tracker(slots={"order_number": "SS-100003"}))

    assert verified[0]["order_number"] == "SS-100003"
    assert (events, unverified) == ([], [])


def test_metadata_identity_wins_over_a_verified_slot(store: Store) -> None:
    _, messages = run(
        ActionCheckOrderStatus(lambda: store.services),
        tracker(slots={"verified_customer_id": store.ben}, customer_id=store.ada),
    )

    assert messages[0]["order_number"] == "SS-100002"


# --- refunds --------------------------------------------------------------------------------


def test_refund_status_shows_the_return_and_the_pending_refund(store: Store) -> None:
    events, messages = run(
        ActionCheckRefundStatus(lambda: store.services),
        tracker("where is my refund", "refund_status", customer_id=store.cleo),
    )

    assert responses(messages) == ["utter_return_progress", "utter_refund_pending"]
    assert (messages[0]["product"], messages[0]["status"]) == ("Quiet 2 Headphones", "received")
    assert messages[1]["amount"] == "€99.90"
    assert slot_events(events) == {"task_resolved": True}


def test_refund_status_without_any_refunds_or_for_someone_elses_order(store: Store) -> None:
    action = ActionCheckRefundStatus(lambda: store.services)

    _, none_at_all = run(action, tracker(customer_id=store.ben))
    _, not_theirs = run(
        action, tracker(entities=[entity("order_number", "SS-100006")], customer_id=store.ben)
    )
    _, nothing_on_it = run(
        action, tracker(slots={"order_number": "SS-100003"}, customer_id=store.ben)
    )

    assert responses(none_at_all) == ["utter_no_refunds_at_all"]
    assert responses(not_theirs) == ["utter_order_not_found"]
    assert responses(nothing_on_it) == ["utter_no_refunds"]


# --- cancellation ---------------------------------------------------------------------------


def test_the_cancel_question_shows_the_order(store: Store) -> None:
    _, messages = run(
        ActionAskCancelConfirmed(lambda: store.services),
        tracker(slots={"order_number": "SS-100002"}, customer_id=store.ada),
    )

    assert responses(messages) == ["utter_ask_cancel_confirmed"]
    assert (messages[0]["items"], messages[0]["total"]) == ("2 x Quiet 2 Headphones", "€199.80")


def test_a_confirmed_cancellation_cancels_and_promises_the_refund(store: Store) -> None:
    slots = {"order_number": "SS-100002", "cancel_confirmed": True}

    events, messages = run(
        ActionCancelOrder(lambda: store.services), tracker(slots=slots, customer_id=store.ada)
    )

    assert responses(messages) == ["utter_order_cancelled_refund"]
    assert messages[0]["amount"] == "€199.80"
    assert _order(store, "SS-100002").status == "cancelled"
    assert slot_events(events)["task_resolved"] is True
    assert slot_events(events)["order_number"] is None


def test_a_declined_cancellation_keeps_the_order(store: Store) -> None:
    slots = {"order_number": "SS-100002", "cancel_confirmed": False}

    events, messages = run(
        ActionCancelOrder(lambda: store.services), tracker(slots=slots, customer_id=store.ada)
    )

    assert responses(messages) == ["utter_cancel_kept"]
    assert _order(store, "SS-100002").status == "paid"
    assert "task_resolved" not in slot_events(events)


def test_a_shipped_order_is_not_cancelled_even_if_the_form_let_it_through(store: Store) -> None:
    slots = {"order_number": "SS-100001", "cancel_confirmed": True}

    _, messages = run(
        ActionCancelOrder(lambda: store.services), tracker(slots=slots, customer_id=store.ada)
    )

    assert responses(messages) == ["utter_cancel_refused_dispatched"]
    assert _order(store, "SS-100001").status == "shipped"


def test_nobody_cancels_another_customers_order(store: Store) -> None:
    slots = {"order_number": "SS-100003", "cancel_confirmed": True}

    _, messages = run(
        ActionCancelOrder(lambda: store.services), tracker(slots=slots, customer_id=store.ada)
    )

    assert responses(messages) == ["utter_order_not_found"]
    assert _order(store, "SS-100003").status == "placed"


def test_a_blocked_or_unverified_cancel_form_only_tidies_up(store: Store) -> None:
    action = ActionCancelOrder(lambda: store.services)
    confirmed = {"order_number": "SS-100002", "cancel_confirmed": True}

    blocked_events, blocked = run(
        action, tracker(slots=confirmed | {"form_blocked": True}, customer_id=store.ada)
    )
    _, unverified = run(action, tracker(slots=confirmed))

    assert (blocked, unverified) == ([], [])
    assert slot_events(blocked_events)["form_blocked"] is None
    assert _order(store, "SS-100002").status == "paid"


# --- delivery address -----------------------------------------------------------------------


def test_the_address_of_an_order_not_yet_dispatched_is_changed(store: Store) -> None:
    slots = {
        "order_number": "SS-100003",
        "address_street": "12 baker street",
        "address_city": "london",
        "address_postcode": "nw1 6xe",
    }

    events, messages = run(
        ActionChangeAddress(lambda: store.services),
        tracker(slots=slots | {"verified_customer_id": store.ben}),
    )

    assert responses(messages) == ["utter_address_changed"]
    assert (messages[0]["street"], messages[0]["city"], messages[0]["postcode"]) == (
        "12 baker street",
        "London",
        "NW1 6XE",
    )
    order = _order(store, "SS-100003")
    assert (order.ship_street, order.ship_city, order.ship_postcode) == (
        "12 baker street",
        "London",
        "NW1 6XE",
    )
    assert slot_events(events)["task_resolved"] is True


def test_a_dispatched_order_keeps_its_address(store: Store) -> None:
    slots = {
        "order_number": "SS-100001",
        "address_street": "12 Baker Street",
        "address_city": "London",
        "address_postcode": "NW1 6XE",
    }

    _, messages = run(
        ActionChangeAddress(lambda: store.services), tracker(slots=slots, customer_id=store.ada)
    )

    assert responses(messages) == ["utter_address_refused_dispatched"]
    assert _order(store, "SS-100001").ship_street == "1 Test Street"


# --- returns --------------------------------------------------------------------------------


def test_the_item_question_offers_each_returnable_item(store: Store) -> None:
    _, messages = run(
        ActionAskReturnItem(lambda: store.services),
        tracker(slots={"order_number": "SS-100004"}, customer_id=store.cleo),
    )

    assert messages[0]["items"] == "Quiet 2 Headphones and Aero 14 Laptop"
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        "Quiet 2 Headphones",
        "Aero 14 Laptop",
    ]


def test_a_return_is_registered_with_its_refund_method(store: Store) -> None:
    slots = {
        "order_number": "SS-100004",
        "return_item": "Aero 14 Laptop",
        "return_reason": "screen flickers",
        "refund_method": "store_credit",
    }

    events, messages = run(
        ActionCreateReturn(lambda: store.services), tracker(slots=slots, customer_id=store.cleo)
    )

    assert responses(messages) == ["utter_return_created_credit"]
    assert (messages[0]["product"], messages[0]["amount"]) == ("Aero 14 Laptop", "€799.00")
    with store.sessions() as session:
        created = session.scalars(select(Return).where(Return.reason == "screen flickers")).one()
        assert (created.quantity, created.refund_method) == (1, "store_credit")
    assert slot_events(events)["return_item"] is None


def test_a_return_after_the_window_is_refused_and_nothing_is_written(store: Store) -> None:
    slots = {
        "order_number": "SS-100005",
        "return_item": "Quiet 2 Headphones",
        "return_reason": "changed my mind",
        "refund_method": "original_payment",
    }

    _, messages = run(
        ActionCreateReturn(lambda: store.services), tracker(slots=slots, customer_id=store.cleo)
    )

    assert responses(messages) == ["utter_return_refused_window_passed"]
    assert (messages[0]["deadline"], messages[0]["window"]) == ("Wed 21 Oct", 30)
    with store.sessions() as session:
        assert session.scalars(select(Return).where(Return.reason == "changed my mind")).all() == []


def test_stopping_a_task_forgets_its_answers(store: Store) -> None:
    events, messages = run(ActionStopTask(), tracker("never mind", "stop"))

    assert responses(messages) == ["utter_stopped"]
    assert slot_events(events) == {
        "order_number": None,
        "form_blocked": None,
        "cancel_confirmed": None,
        "address_street": None,
        "address_city": None,
        "address_postcode": None,
        "return_item": None,
        "return_reason": None,
        "refund_method": None,
    }
