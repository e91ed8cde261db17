"""What of the assistant's replies reaches the widget, and which button payloads come back."""

from __future__ import annotations

from typing import Any

import pytest

from bot.payloads import HandoffRequest, handoff_in, issued_payloads, shown


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            {"custom": {"handoff": {"reason": "refund", "priority": 0.9}}},
            HandoffRequest("refund", 0.9),
        ),
        ({"custom": {"handoff": {"reason": "x", "priority": 7}}}, HandoffRequest("x", 1.0)),
        ({"custom": {"handoff": {"reason": "x", "priority": -1}}}, HandoffRequest("x", 0.0)),
        ({"custom": {"handoff": {"priority": "high"}}}, HandoffRequest("the assistant asked", 0.5)),
        ({"custom": {"handoff": {"reason": "x", "priority": True}}}, HandoffRequest("x", 0.5)),
        ({"custom": {"handoff": "yes"}}, None),
        ({"custom": {"products": []}}, None),
        ({"text": "hello"}, None),
    ],
)
def test_the_handoff_request_is_read_defensively(
    message: dict[str, Any], expected: HandoffRequest | None
) -> None:
    assert handoff_in(message) == expected


def test_a_very_long_reason_is_cut() -> None:
    request = handoff_in({"custom": {"handoff": {"reason": "r" * 1000}}})
    assert request is not None and len(request.reason) == 300


def test_the_widget_gets_text_buttons_and_cards_but_never_the_handoff() -> None:
    products = [{"name": "Aero 14", "price": "799.00"}]
    message = {
        "recipient_id": "s1",
        "text": "Here you go",
        "buttons": [{"title": "More", "payload": "/more"}, {"title": 3}, "junk"],
        "custom": {"products": products, "handoff": {"reason": "x"}, "script": "<b>"},
    }

    visible = shown(message)

    assert visible is not None
    assert visible.text == "Here you go"
    assert visible.payload == {
        "buttons": [{"title": "More", "payload": "/more"}],
        "custom": {"products": products},
    }


def test_a_message_with_only_a_handoff_shows_nothing() -> None:
    assert shown({"custom": {"handoff": {"reason": "x"}}}) is None


def test_issued_payloads_are_collected_from_stored_messages() -> None:
    stored: list[dict[str, Any] | None] = [
        None,
        {"buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]},
        {"custom": {"products": []}},
    ]

    assert issued_payloads(stored) == {"/affirm", "/deny"}
