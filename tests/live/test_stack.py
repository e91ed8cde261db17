"""Whole conversations through the real processes, answered from the shop database."""

from __future__ import annotations

import uuid

import httpx
import pytest

from bot.stack import Stack

pytestmark = [pytest.mark.live, pytest.mark.slow]


def _say(stack: Stack, sender: str, text: str) -> list[str]:
    response = httpx.post(
        f"{stack.config.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        timeout=30,
    )
    response.raise_for_status()
    return [m.get("text", "") for m in response.json()]


def test_the_rest_channel_answers_from_the_shop_database(live_stack: Stack) -> None:
    sender = f"live-{uuid.uuid4().hex[:8]}"

    greeting = _say(live_stack, sender, "hello")
    categories = _say(live_stack, sender, "what do you sell?")

    assert greeting and greeting[0]
    assert categories == ["We sell laptops and headphones. Which one are you interested in?"]


def test_the_gateway_forwards_to_rasa_and_back(live_stack: Stack) -> None:
    response = httpx.post(
        f"{live_stack.config.gateway_url}/api/messages",
        json={"sender_id": f"gw-{uuid.uuid4().hex[:8]}", "text": "which categories do you carry"},
        timeout=30,
    )

    assert response.status_code == 200
    assert "laptops and headphones" in response.json()["messages"][0]["text"]


def test_conversations_are_kept_in_the_tracker_store(live_stack: Stack) -> None:
    sender = f"kept-{uuid.uuid4().hex[:8]}"
    _say(live_stack, sender, "hi")

    tracker = httpx.get(
        f"{live_stack.config.rasa_url}/conversations/{sender}/tracker",
        params={"token": live_stack.config.rasa_api_token},
        timeout=10,
    ).json()

    assert [e.get("text") for e in tracker["events"] if e["event"] == "user"] == ["hi"]
    assert (live_stack.config.state_dir / "tracker.db").stat().st_size > 0
