"""Handoff through the gateway against the real Rasa server: the tracker is paused while a person
holds the conversation and resumed when it comes back."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from bot.stack import Stack
from insight.agents import AgentRepository
from insight.db.engine import make_engine, make_sessionmaker
from tests.factories import ShopFixture

pytestmark = [pytest.mark.live, pytest.mark.slow]


def _tracker_events(stack: Stack, sender: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{stack.config.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.config.rasa_api_token},
        timeout=10,
    )
    response.raise_for_status()
    events: list[dict[str, Any]] = response.json()["events"]
    return events


def test_takeover_pauses_and_handback_resumes_the_rasa_tracker(
    live_stack: Stack, live_shop_url: tuple[str, ShopFixture]
) -> None:
    engine = make_engine(live_shop_url[0])
    AgentRepository(make_sessionmaker(engine)).ensure("live-agent", "Live Agent", "live-password")
    engine.dispose()
    sender = f"handoff-{uuid.uuid4().hex[:8]}"
    gateway = httpx.Client(base_url=live_stack.config.gateway_url, timeout=30)

    hello = gateway.post("/api/messages", json={"sender_id": sender, "text": "hello"})
    login = gateway.post(
        "/api/desk/login", json={"username": "live-agent", "password": "live-password"}
    )
    taken = gateway.post(f"/api/desk/conversations/{sender}/take")
    while_held = gateway.post("/api/messages", json={"sender_id": sender, "text": "still there?"})
    paused = [e["event"] for e in _tracker_events(live_stack, sender)]
    back = gateway.post(
        f"/api/desk/conversations/{sender}/handback", json={"task": "back_to_assistant"}
    )
    after = gateway.post("/api/messages", json={"sender_id": sender, "text": "hello again"})

    assert hello.status_code == login.status_code == taken.status_code == 200
    assert hello.json()["messages"], "the assistant answered before the handoff"
    assert while_held.json()["messages"] == []
    assert paused[-1] == "pause"
    assert back.status_code == 200 and back.json()["owner"] == "bot"
    events = [e["event"] for e in _tracker_events(live_stack, sender)]
    assert "resume" in events[events.index("pause") :]
    assert after.json()["messages"], "the assistant answers again after the hand-back"
    user_texts = [
        e.get("text") for e in _tracker_events(live_stack, sender) if e["event"] == "user"
    ]
    assert "still there?" not in user_texts  # what the agent got never reached the assistant
