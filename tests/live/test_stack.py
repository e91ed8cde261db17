"""Whole conversations through the real processes, answered from the shop database."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

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


def test_the_gateway_is_ready_once_rasa_the_database_and_the_model_are(live_stack: Stack) -> None:
    url, deadline = f"{live_stack.config.gateway_url}/readyz", time.monotonic() + 60
    response = httpx.get(url, timeout=30)
    while response.status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.5)  # the gateway loads the understanding model after it starts answering
        response = httpx.get(url, timeout=30)

    assert response.status_code == 200, response.text
    assert set(response.json()["checks"].values()) == {"ok"}


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


def _tracker_after(
    stack: Stack, sender: str, text: str, metadata: Mapping[str, object]
) -> dict[str, Any]:
    """Send one message with metadata straight to Rasa; its tracker afterwards."""
    httpx.post(
        f"{stack.config.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text, "metadata": metadata},
        timeout=30,
    ).raise_for_status()
    tracker: dict[str, Any] = httpx.get(
        f"{stack.config.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.config.rasa_api_token},
        timeout=10,
    ).json()
    return tracker


def _parsed_intent(stack: Stack, sender: str, text: str, metadata: dict[str, object]) -> str:
    """The intent Rasa's pipeline settled on for one message with metadata."""
    return str(_tracker_after(stack, sender, text, metadata)["latest_message"]["intent"]["name"])


def _reading(name: str, confidence: float, threshold: float = 0.5) -> dict[str, object]:
    return {
        "intent": {
            "name": name,
            "confidence": confidence,
            "threshold": threshold,
            "ranking": [
                {"name": name, "confidence": confidence},
                {"name": "greet", "confidence": round(1 - confidence, 3)},
            ],
        }
    }


def test_rasa_takes_the_intent_the_gateways_shared_pass_read(live_stack: Stack) -> None:
    sender = f"shared-{uuid.uuid4().hex[:8]}"

    # DIET alone reads "hello" as a greeting; the gateway's reading says otherwise and wins
    intent = _parsed_intent(live_stack, sender, "hello", _reading("ask_categories", 0.97))

    assert intent == "ask_categories"


def test_an_unsure_shared_reading_becomes_the_nlu_fallback(live_stack: Stack) -> None:
    sender = f"unsure-{uuid.uuid4().hex[:8]}"

    intent = _parsed_intent(
        live_stack, sender, "what do you sell?", _reading("ask_categories", 0.41, threshold=0.6)
    )

    assert intent == "nlu_fallback"


def test_without_a_reading_or_with_a_malformed_one_diet_decides(live_stack: Stack) -> None:
    plain = _parsed_intent(live_stack, f"plain-{uuid.uuid4().hex[:8]}", "what do you sell?", {})
    malformed = _parsed_intent(
        live_stack,
        f"bad-{uuid.uuid4().hex[:8]}",
        "what do you sell?",
        {"intent": {"ranking": "ask_categories", "threshold": 2}},
    )
    unknown = _parsed_intent(
        live_stack,
        f"new-{uuid.uuid4().hex[:8]}",
        "what do you sell?",
        _reading("an_intent_this_model_never_saw", 0.99),
    )

    assert plain == malformed == unknown == "ask_categories"


def _mood_slots(
    stack: Stack, sender: str, text: str, metadata: Mapping[str, object]
) -> tuple[object, object]:
    slots = _tracker_after(stack, sender, text, metadata)["slots"]
    return slots["emotion"], slots["tone"]


def test_the_gateways_mood_reading_sets_emotion_and_tone_in_the_pipeline(
    live_stack: Stack,
) -> None:
    sender = f"mood-{uuid.uuid4().hex[:8]}"
    angry = {"emotion": {"label": "anger", "confidence": 0.97, "polarity": -0.9, "tone": "upset"}}
    forged = {"emotion": {"label": "rage", "confidence": 1.0, "polarity": -1.0, "tone": "livid"}}

    read = _mood_slots(live_stack, sender, "this is a joke", angry)
    unread = _mood_slots(live_stack, sender, "what do you sell?", {})
    malformed = _mood_slots(live_stack, sender, "what do you sell?", forged)
    fresh = _mood_slots(live_stack, f"plain-{uuid.uuid4().hex[:8]}", "this is a joke", {})

    assert read == unread == malformed == ("anger", "upset")  # no reading: the mood stays
    assert fresh == (None, "calm")
