"""The gateway against the real Rasa server: the emotion it reads once per message fills the
desk's timeline and reaches the assistant; the tracker is paused while a person holds the
conversation and resumed when it comes back."""

from __future__ import annotations

import itertools
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


def _desk(stack: Stack, shop_url: str) -> httpx.Client:
    engine = make_engine(shop_url)
    AgentRepository(make_sessionmaker(engine)).ensure("live-agent", "Live Agent", "live-password")
    engine.dispose()
    desk = httpx.Client(base_url=stack.config.gateway_url, timeout=30)
    login = desk.post(
        "/api/desk/login", json={"username": "live-agent", "password": "live-password"}
    )
    login.raise_for_status()
    return desk


def test_each_message_is_read_once_for_the_desk_timeline_and_the_assistant(
    live_stack: Stack, live_shop_url: tuple[str, ShopFixture]
) -> None:
    sender = f"mood-{uuid.uuid4().hex[:8]}"
    shopper = httpx.Client(base_url=live_stack.config.gateway_url, timeout=60)

    for text in ("thank you so much!", "I'm so worried my order got lost"):
        shopper.post("/api/messages", json={"sender_id": sender, "text": text}).raise_for_status()
    detail = _desk(live_stack, live_shop_url[0]).get(f"/api/desk/conversations/{sender}").json()
    events = _tracker_events(live_stack, sender)

    timeline = detail["emotions"]
    assert [reading["label"] for reading in timeline] == ["gratitude", "anxiety"]
    assert all(0.0 < reading["confidence"] <= 1.0 for reading in timeline)
    read = [e["metadata"]["emotion"] for e in events if e["event"] == "user"]
    assert [(r["label"], r["confidence"]) for r in read] == [
        (reading["label"], reading["confidence"]) for reading in timeline
    ]
    slots = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "emotion"]
    # Rasa's pipeline took the gateway's reading as the mood (a form may set it twice in a turn)
    assert [label for label, _ in itertools.groupby(slots)] == ["gratitude", "anxiety"]
    assert not any(e["event"] == "action" and "emotion" in e["name"] for e in events)


def test_takeover_pauses_and_handback_resumes_the_rasa_tracker(
    live_stack: Stack, live_shop_url: tuple[str, ShopFixture]
) -> None:
    sender = f"handoff-{uuid.uuid4().hex[:8]}"
    gateway = httpx.Client(base_url=live_stack.config.gateway_url, timeout=30)

    hello = gateway.post("/api/messages", json={"sender_id": sender, "text": "hello"})
    desk = _desk(live_stack, live_shop_url[0])
    taken = desk.post(f"/api/desk/conversations/{sender}/take")
    while_held = gateway.post("/api/messages", json={"sender_id": sender, "text": "still there?"})
    paused = [e["event"] for e in _tracker_events(live_stack, sender)]
    timeline = desk.get(f"/api/desk/conversations/{sender}").json()["emotions"]
    back = desk.post(
        f"/api/desk/conversations/{sender}/handback", json={"task": "back_to_assistant"}
    )
    after = gateway.post("/api/messages", json={"sender_id": sender, "text": "hello again"})

    assert hello.status_code == taken.status_code == 200
    assert hello.json()["messages"], "the assistant answered before the handoff"
    assert while_held.json()["messages"] == []
    assert paused[-1] == "pause"
    assert len(timeline) == 2  # read while the agent held it too
    assert back.status_code == 200 and back.json()["owner"] == "bot"
    events = [e["event"] for e in _tracker_events(live_stack, sender)]
    assert "resume" in events[events.index("pause") :]
    assert after.json()["messages"], "the assistant answers again after the hand-back"
    user_texts = [
        e.get("text") for e in _tracker_events(live_stack, sender) if e["event"] == "user"
    ]
    assert "still there?" not in user_texts  # what the agent got never reached the assistant
