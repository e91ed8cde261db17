from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import UNAVAILABLE_REPLY, create_app
from bot.rasa_client import RasaClient, RasaUnavailable, neutralise_commands
from insight.settings import Settings


@pytest.mark.parametrize(
    ("typed", "forwarded"),
    [
        ("/restart", "restart"),
        ('/inform{"order_id": "SS-100003"}', 'inform{"order_id": "SS-100003"}'),
        ("  //  /greet", "greet"),
        ("where is my order?", "where is my order?"),
        ("price is 20/30 euros", "price is 20/30 euros"),
    ],
)
def test_shopper_text_never_reaches_rasa_as_an_intent_command(typed: str, forwarded: str) -> None:
    assert neutralise_commands(typed) == forwarded


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []

    async def fake_send(
        self: RasaClient, sender_id: str, text: str, metadata: Any = None
    ) -> list[dict[str, Any]]:
        calls.append((sender_id, text))
        return [{"recipient_id": sender_id, "text": f"echo: {text}"}]

    monkeypatch.setattr(RasaClient, "send", fake_send)
    return calls


def test_messages_are_forwarded_without_command_prefixes(sent: list[tuple[str, str]]) -> None:
    client = TestClient(create_app(Settings.from_env({})))

    reply = client.post(
        "/api/messages", json={"sender_id": "s1", "text": '/cancel{"order":"SS-1"}'}
    )

    assert reply.status_code == 200
    assert sent == [("s1", 'cancel{"order":"SS-1"}')]


def test_an_empty_message_gets_a_prompt_and_does_not_reach_rasa(
    sent: list[tuple[str, str]],
) -> None:
    client = TestClient(create_app(Settings.from_env({})))

    reply = client.post("/api/messages", json={"sender_id": "s1", "text": "   "})

    assert reply.json()["messages"][0]["text"].startswith("I'm here")
    assert sent == []


def test_bad_requests_are_rejected_with_422_not_500(sent: list[tuple[str, str]]) -> None:
    client = TestClient(create_app(Settings.from_env({})))

    assert client.post("/api/messages", content=b"{not json").status_code == 422
    assert client.post("/api/messages", json={"sender_id": "s1", "text": 5}).status_code == 422
    assert client.post("/api/messages", json={"sender_id": "a b", "text": "hi"}).status_code == 422
    assert (
        client.post("/api/messages", json={"sender_id": "s1", "text": "x" * 100_000}).status_code
        == 422
    )
    assert sent == []


def test_a_down_rasa_gets_the_shopper_a_polite_reply(monkeypatch: pytest.MonkeyPatch) -> None:
    async def down(
        self: RasaClient, sender_id: str, text: str, metadata: Any = None
    ) -> list[dict[str, Any]]:
        raise RasaUnavailable("connection refused")

    monkeypatch.setattr(RasaClient, "send", down)
    client = TestClient(create_app(Settings.from_env({})))

    reply = client.post("/api/messages", json={"sender_id": "s1", "text": "hello"})

    assert reply.status_code == 200
    assert reply.json()["messages"] == [{"text": UNAVAILABLE_REPLY}]
