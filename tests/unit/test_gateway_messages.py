"""The gateway's HTTP API for shopper messages, over a throwaway SQLite shop and a fake Rasa."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.rasa_client import neutralise_commands
from bot.switchboard import EMPTY_REPLY, UNAVAILABLE_REPLY
from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import upgrade
from insight.settings import Settings
from tests.gateway_fakes import FakeAssistant, gateway_services


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
def assistant() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture
def client(tmp_path: Path, assistant: FakeAssistant) -> Iterator[TestClient]:
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade(engine)
    app = create_app(Settings.from_env({}), gateway_services(make_sessionmaker(engine), assistant))
    with TestClient(app) as test_client:
        yield test_client
    engine.dispose()


def test_messages_are_forwarded_without_command_prefixes(
    client: TestClient, assistant: FakeAssistant
) -> None:
    reply = client.post(
        "/api/messages", json={"sender_id": "s1", "text": '/cancel{"order":"SS-1"}'}
    )

    assert reply.status_code == 200
    assert assistant.texts_sent() == ['cancel{"order":"SS-1"}']
    assert [m["text"] for m in reply.json()["messages"]] == ['echo: cancel{"order":"SS-1"}']


def test_an_empty_message_gets_a_prompt_and_does_not_reach_rasa(
    client: TestClient, assistant: FakeAssistant
) -> None:
    command_only = client.post("/api/messages", json={"sender_id": "s1", "text": "  /  "})
    blank = client.post("/api/messages", json={"sender_id": "s2", "text": "   "})

    assert command_only.json()["messages"][0]["text"] == EMPTY_REPLY
    assert blank.json()["messages"][0]["text"] == EMPTY_REPLY
    assert assistant.sent == []
    assert [m["sender"] for m in client.get("/api/conversations/s2/messages").json()] == ["bot"]


def test_bad_requests_are_rejected_with_422_not_500(
    client: TestClient, assistant: FakeAssistant
) -> None:
    assert client.post("/api/messages", content=b"{not json").status_code == 422
    assert client.post("/api/messages", json={"sender_id": "s1", "text": 5}).status_code == 422
    assert client.post("/api/messages", json={"sender_id": "a b", "text": "hi"}).status_code == 422
    too_long = {"sender_id": "s1", "text": "x" * 3000}
    assert client.post("/api/messages", json=too_long).status_code == 422
    too_big = {"sender_id": "s1", "text": "x" * 100_000}
    assert client.post("/api/messages", json=too_big).status_code == 413
    assert assistant.sent == []


def test_a_down_rasa_gets_the_shopper_a_polite_reply(
    client: TestClient, assistant: FakeAssistant
) -> None:
    assistant.down = True

    reply = client.post("/api/messages", json={"sender_id": "s1", "text": "hello"})

    assert reply.status_code == 200
    assert [m["text"] for m in reply.json()["messages"]] == [UNAVAILABLE_REPLY]


def test_the_transcript_is_served_from_the_database(client: TestClient) -> None:
    client.post("/api/messages", json={"sender_id": "s1", "text": "hello"})

    transcript = client.get("/api/conversations/s1/messages").json()
    later = client.get("/api/conversations/s1/messages", params={"after_id": transcript[0]["id"]})

    assert [(m["sender"], m["text"]) for m in transcript] == [
        ("shopper", "hello"),
        ("bot", "echo: hello"),
    ]
    assert [m["text"] for m in later.json()] == ["echo: hello"]
    assert client.get("/api/conversations/nobody/messages").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        b'{"sender_id": "s1", "text": 1e999999}',
        b'{"sender_id": "s1", "text": NaN}',
        b'{"sender_id": "s1", "text": "\\ud800"}',
        b'{"sender_id": "s1", "text": ["' + b"x" * 5000 + b'"]}',
    ],
)
def test_a_rejected_request_is_described_without_echoing_its_input(
    client: TestClient, body: bytes
) -> None:
    response = client.post(
        "/api/messages", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "text"]
    assert len(response.content) < 300


def test_guessing_conversation_ids_spends_the_addresss_rate_budget(
    tmp_path: Path, assistant: FakeAssistant
) -> None:
    """The id is the only secret of a guest's transcript, and HTTP clients choose their own
    sender ids: guessing them is as slow as sending messages."""
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade(engine)
    settings = Settings.from_env({"GATEWAY_RATE_PER_IP": "5,0.01"})
    app = create_app(settings, gateway_services(make_sessionmaker(engine), assistant))
    with TestClient(app) as client:
        statuses = [
            client.get(f"/api/conversations/guess-{n}/messages").status_code for n in range(8)
        ]
    engine.dispose()

    assert statuses == [404] * 5 + [429] * 3
