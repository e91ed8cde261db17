"""Exchanges, whether a person is there, and the shopper's list of orders."""

from __future__ import annotations

from dataclasses import replace

from actions.explain_exchange import ActionExplainExchange
from actions.human_availability import ActionHumanAvailability
from actions.list_orders import ActionListOrders
from insight.support.invoices import LINK_PATH, InvoiceGrant
from tests.action_kit import SUPPORT_HOURS, Store, responses, run, slot_events, tracker

# --- exchange -------------------------------------------------------------------------------


def test_an_exchange_is_explained_with_the_shops_return_window(store: Store) -> None:
    events, messages = run(
        ActionExplainExchange(lambda: store.services),
        tracker("these boots pinch, can I swap them", "exchange_item"),
    )

    assert responses(messages) == ["utter_exchange_how"]
    assert messages[0]["window_days"] == 30
    assert events == []


# --- is anybody there -------------------------------------------------------------------------


def _availability(store: Store, metadata: dict[str, object]) -> tuple[list[str], dict[str, object]]:
    events, messages = run(
        ActionHumanAvailability(lambda: store.services),
        tracker("anyone from support around?", "ask_human_available", metadata=metadata),
    )
    return responses(messages), {**messages[0], **slot_events(events)}


def test_with_an_agent_online_the_shopper_is_offered_one(store: Store) -> None:
    said, reply = _availability(store, {"agents_available": True})

    assert said == ["utter_agents_online"]
    assert reply["handoff_reason"] == "shopper_asked"


def test_with_nobody_online_the_shopper_hears_the_hours_and_may_leave_a_message(
    store: Store,
) -> None:
    said, reply = _availability(store, {"agents_available": False})

    assert said == ["utter_agents_offline"]
    assert reply["hours"] == SUPPORT_HOURS.hours
    assert reply["email_reply_hours"] == SUPPORT_HOURS.email_reply_hours
    assert reply["handoff_reason"] == "shopper_asked"


def test_without_the_gateways_word_only_the_hours_are_told(store: Store) -> None:
    said, reply = _availability(store, {})

    assert said == ["utter_agents_hours"]
    assert reply["hours"] == SUPPORT_HOURS.hours


def test_a_shop_without_hours_in_its_policies_still_answers(store: Store) -> None:
    no_hours = replace(store.services, support_hours=None)
    for metadata, expected in (
        ({"agents_available": False}, "utter_agents_offline_no_hours"),
        ({}, "utter_agents_maybe"),
    ):
        _, messages = run(
            ActionHumanAvailability(lambda: no_hours),
            tracker("anyone there?", "ask_human_available", metadata=metadata),
        )
        assert responses(messages) == [expected]


# --- my orders --------------------------------------------------------------------------------


def test_a_known_shopper_sees_their_orders_newest_first_with_cards(store: Store) -> None:
    events, messages = run(
        ActionListOrders(lambda: store.services),
        tracker("my orders", "order_history", customer_id=store.ada),
    )

    assert responses(messages) == [
        "utter_order_history",
        "utter_order_history_line",
        "utter_order_history_line",
    ]
    assert messages[0]["count"] == 2
    numbers = [m["order_number"] for m in messages[1:]]
    assert numbers == ["SS-100002", "SS-100001"]
    assert [m["custom"]["order"]["number"] for m in messages[1:]] == numbers
    assert messages[1]["items"] == "2 x Quiet 2 Headphones"
    assert messages[1]["status"] == "paid"
    assert messages[1]["total"].startswith("€")
    assert slot_events(events)["task_resolved"] is True
    assert slot_events(events)["order_number"] is None


def test_each_paid_order_links_an_invoice_that_opens_that_order_of_that_shopper(
    store: Store,
) -> None:
    _, messages = run(
        ActionListOrders(lambda: store.services),
        tracker("my orders", "order_history", customer_id=store.ada),
    )

    links = [m["custom"]["order"]["invoice_url"] for m in messages[1:]]
    grants = [store.services.invoice_links.grant(link.removeprefix(LINK_PATH)) for link in links]
    assert grants == [InvoiceGrant(store.ada, "SS-100002"), InvoiceGrant(store.ada, "SS-100001")]


def test_a_verified_guest_sees_only_the_verified_accounts_orders(store: Store) -> None:
    _, messages = run(
        ActionListOrders(lambda: store.services),
        tracker(slots={"verified_customer_id": store.ben, "order_number": "SS-100003"}),
    )

    assert [m.get("order_number") for m in messages[1:]] == ["SS-100003"]
    assert "invoice_url" not in messages[1]["custom"]["order"]  # placed, not paid: no invoice yet


def test_an_unverified_guest_is_shown_nothing(store: Store) -> None:
    events, messages = run(
        ActionListOrders(lambda: store.services),
        tracker("my orders", "order_history", slots={"order_number": "SS-100001"}),
    )

    assert messages == []
    assert "task_resolved" not in slot_events(events)
