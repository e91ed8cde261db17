"""Outages seen from the switchboard, on SQLite and PostgreSQL with a scripted assistant: Rasa
down, the database unreachable, an assistant that answers nothing. The shopper is always told
something, nothing typed is lost, and held messages go through in order once the outage ends."""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.guards import TOO_LONG
from bot.ownership import Owner
from bot.rasa_client import RasaClient
from bot.switchboard import (
    CATCHING_UP,
    DATABASE_DOWN_REPLY,
    MAX_HELD_PER_CONVERSATION,
    SILENT_REPLY,
    UNAVAILABLE_REPLY,
    NotAllowed,
    Switchboard,
    new_conversation_id,
)
from bot.tokens import CustomerTokens
from insight.agents import AgentRepository
from insight.conversations import ConversationRepository
from insight.customer_cards import CustomerCards
from insight.db.engine import make_engine
from insight.emotion.trajectory import EscalationRule
from insight.settings import Settings, TokenKey
from insight.understanding.contracts import KeywordUnderstander
from insight.understanding.message import MessageUnderstanding
from tests.factories import ShopFixture
from tests.gateway_fakes import FakeAssistant, RecordingOutbox, gateway_services

SECRET = "outage-test-secret-long-enough-for-hs256"


@dataclass
class Rig:
    board: Switchboard
    assistant: FakeAssistant
    outbox: RecordingOutbox
    conversations: ConversationRepository
    sessions: sessionmaker[Session]
    engine: Engine
    unreachable: Engine

    def texts(self, conversation_id: str) -> list[tuple[str, str]]:
        return [(m.sender, m.text) for m in self.conversations.transcript(conversation_id)]

    def database_down(self) -> None:
        self.sessions.configure(bind=self.unreachable)

    def database_back(self) -> None:
        self.sessions.configure(bind=self.engine)


@pytest.fixture
def rig(
    engine: Engine, sessions: sessionmaker[Session], shop: ShopFixture, tmp_path: Path
) -> Iterator[Rig]:
    conversations = ConversationRepository(sessions)
    assistant, outbox = FakeAssistant(), RecordingOutbox()
    board = Switchboard(
        conversations=conversations,
        customers=CustomerCards(sessions),
        assistant=assistant,
        tokens=CustomerTokens([TokenKey(SECRET)]),
        outbox=outbox,
        escalation_rule=EscalationRule(),
        understanding=MessageUnderstanding(KeywordUnderstander()),
    )
    unreachable = make_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'shop.db'}")
    conversations.open("conv-1", None)
    yield Rig(board, assistant, outbox, conversations, sessions, engine, unreachable)
    sessions.configure(bind=engine)
    unreachable.dispose()


@pytest.mark.asyncio
async def test_messages_typed_while_rasa_is_down_are_answered_in_order_when_it_is_back(
    rig: Rig,
) -> None:
    rig.assistant.down = True

    first = await rig.board.shopper_message("conv-1", "where is my order?", "c-1")
    second = await rig.board.shopper_message("conv-1", "it was a laptop, thanks", "c-2")
    still_down = await rig.board.redeliver()
    rig.assistant.down = False
    delivered = await rig.board.redeliver()

    assert [m.text for m in first] == [UNAVAILABLE_REPLY]
    assert second == []  # one notice per outage, not one per message
    assert still_down == 0
    assert delivered == 2
    assert rig.board.held() == 0
    assert rig.assistant.texts_sent() == ["where is my order?", "it was a laptop, thanks"]
    # each held message goes to the assistant with the emotion read when it arrived
    assert [metadata["emotion"]["label"] for _, _, metadata in rig.assistant.sent] == [
        "neutral",
        "gratitude",
    ]
    assert rig.texts("conv-1") == [
        ("shopper", "where is my order?"),
        ("bot", UNAVAILABLE_REPLY),
        ("shopper", "it was a laptop, thanks"),
        ("bot", "echo: where is my order?"),
        ("bot", "echo: it was a laptop, thanks"),
    ]


@pytest.mark.asyncio
async def test_a_message_sent_again_during_an_outage_is_held_once(rig: Rig) -> None:
    rig.assistant.down = True
    await rig.board.shopper_message("conv-1", "hello", "c-1")
    await rig.board.shopper_message("conv-1", "again", "c-2")

    await rig.board.shopper_message("conv-1", "again", "c-2")
    rig.assistant.down = False
    await rig.board.redeliver()

    assert rig.assistant.texts_sent() == ["hello", "again"]
    assert [text for sender, text in rig.texts("conv-1") if sender == "shopper"] == [
        "hello",
        "again",
    ]


@pytest.mark.asyncio
async def test_a_shopper_cannot_grow_the_gateways_memory_during_an_outage(rig: Rig) -> None:
    """Held messages live in the gateway's memory: a script typing on while the database is out
    must not fill it. Past the limit the shopper is told to wait; what was held goes through."""
    rig.database_down()
    for n in range(MAX_HELD_PER_CONVERSATION + 10):
        try:
            await rig.board.shopper_message("conv-1", f"message {n}", f"c-{n}")
        except NotAllowed as refused:
            assert str(refused) == CATCHING_UP
            assert n >= MAX_HELD_PER_CONVERSATION
    rig.database_back()

    assert rig.board.held() == MAX_HELD_PER_CONVERSATION
    assert await rig.board.redeliver() == MAX_HELD_PER_CONVERSATION
    assert len(rig.assistant.texts_sent()) == MAX_HELD_PER_CONVERSATION


@pytest.mark.asyncio
async def test_many_conversations_cannot_grow_the_gateways_memory_during_an_outage(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The HTTP API opens a conversation for every new sender id: the gateway as a whole holds
    at most ``MAX_HELD`` messages."""
    monkeypatch.setattr("bot.switchboard.delivery.MAX_HELD", 5)
    rig.assistant.down = True
    refused = []
    for n in range(8):
        try:
            await rig.board.shopper_message(f"sender-{n}", "hi", None, open_as_guest=True)
        except NotAllowed as error:
            refused.append(str(error))

    assert rig.board.held() == 5
    assert refused == [CATCHING_UP] * 3


async def _calls_made(awaitable: Awaitable[object]) -> int:
    """The function calls (Python and C) the interpreter makes while ``awaitable`` runs: how much
    work it is, whatever the machine's speed."""
    calls = 0

    def count(_frame: FrameType, event: str, _arg: object) -> None:
        nonlocal calls
        calls += event in ("call", "c_call")

    sys.setprofile(count)
    try:
        await awaitable
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.asyncio
async def test_holding_a_message_costs_the_same_however_many_conversations_hold_some(
    rig: Rig,
) -> None:
    """A script opening conversation after conversation through the HTTP API during an outage
    must not make every further held message cost more: the gateway-wide cap is a running count,
    not a walk over every conversation that holds messages."""
    rig.database_down()

    def guest_message(conversation_id: str) -> Awaitable[object]:
        return rig.board.shopper_message(conversation_id, "hello?", None, open_as_guest=True)

    await guest_message("crowd-0")
    with_one_holding = await _calls_made(guest_message("crowd-0"))
    for n in range(1, 500):
        await guest_message(f"crowd-{n}")
    with_500_holding = await _calls_made(guest_message("crowd-0"))

    assert rig.board.held() == 502
    assert with_500_holding - with_one_holding < 50  # walking them all: over 1,000 calls more


@pytest.mark.asyncio
async def test_with_the_database_down_the_shopper_is_told_and_nothing_is_lost(rig: Rig) -> None:
    rig.database_down()

    first = await rig.board.shopper_message("conv-1", "my email is ada@example.com", "c-1")
    second = await rig.board.shopper_message("conv-1", "are you there?", "c-2")
    while_down = await rig.board.redeliver()
    rig.database_back()
    delivered = await rig.board.redeliver()

    notice = first[0]
    assert notice.id < 0 and notice.text == DATABASE_DOWN_REPLY
    assert ("conv-1", "message") in [(c, e) for c, e, _ in rig.outbox.shopper]
    assert second == []
    assert while_down == 0
    assert delivered == 2
    assert rig.texts("conv-1") == [
        ("shopper", "my email is ada@example.com"),
        ("bot", "echo: my email is ada@example.com"),
        ("shopper", "are you there?"),
        ("bot", "echo: are you there?"),
    ]


@pytest.mark.asyncio
async def test_a_held_message_goes_to_the_agent_if_the_conversation_moved_meanwhile(
    rig: Rig,
) -> None:
    rig.assistant.down = True
    await rig.board.shopper_message("conv-1", "hello?", "c-1")
    await rig.board.shopper_asks_for_agent("conv-1")

    rig.assistant.down = False
    await rig.board.redeliver()

    assert rig.conversations.get("conv-1").owner is Owner.QUEUED  # type: ignore[union-attr]
    assert rig.assistant.texts_sent() == []
    assert [t for s, t in rig.texts("conv-1") if s == "shopper"] == ["hello?"]


@pytest.mark.asyncio
async def test_a_message_rasa_may_have_seen_is_not_sent_twice(rig: Rig) -> None:
    rig.assistant.timing_out = True

    replies = await rig.board.shopper_message("conv-1", "where is my order?", "c-1")
    rig.assistant.timing_out = False
    redelivered = await rig.board.redeliver()

    assert [m.text for m in replies] == [SILENT_REPLY]
    assert redelivered == 0 and rig.board.held() == 0


@pytest.mark.asyncio
async def test_an_assistant_that_answers_nothing_gets_the_shopper_a_polite_word(rig: Rig) -> None:
    rig.assistant.script = lambda text: []

    replies = await rig.board.shopper_message("conv-1", "where is my order?", "c-1")

    assert [m.text for m in replies] == [SILENT_REPLY]


@pytest.mark.asyncio
async def test_a_handoff_without_words_is_an_answer_not_silence(rig: Rig) -> None:
    handoff: list[dict[str, Any]] = [{"custom": {"handoff": {"reason": "asked", "priority": 0.5}}}]
    rig.assistant.script = lambda text: handoff

    replies = await rig.board.shopper_message("conv-1", "a person please", "c-1")

    assert SILENT_REPLY not in [m.text for m in replies]
    assert rig.conversations.get("conv-1").owner is Owner.QUEUED  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_outage_warnings_never_print_the_conversation_id(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    """The id is the key to a guest's transcript (``GET /api/conversations/{id}/messages``):
    whoever reads the gateway's log must not learn it, from the warning or from Rasa's error."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    board = Switchboard(
        conversations=rig.conversations,
        customers=CustomerCards(rig.sessions),
        assistant=RasaClient("http://rasa", "t", transport=httpx.MockTransport(refuse)),
        tokens=CustomerTokens([TokenKey(SECRET)]),
        outbox=rig.outbox,
        escalation_rule=EscalationRule(),
        understanding=MessageUnderstanding(KeywordUnderstander()),
    )
    agents = AgentRepository(
        rig.sessions, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    carol = agents.create("carol", "Carol", "carol-pw")
    guest = new_conversation_id()
    rig.conversations.open(guest, None)
    caplog.set_level(logging.WARNING, logger="bot")

    await board.shopper_message(guest, "where is my order?", "c-1")
    await board.take(guest, carol)  # the assistant cannot be paused: Rasa is still down

    warnings = [record.getMessage() for record in caplog.records]
    assert any("holding a message of" in line for line in warnings)
    assert any("could not pause" in line and "/conversations/" in line for line in warnings)
    assert not [line for line in warnings if guest in line]


@pytest.mark.asyncio
async def test_a_message_over_the_size_limit_is_refused_with_a_reason(rig: Rig) -> None:
    with pytest.raises(NotAllowed, match=TOO_LONG):
        await rig.board.shopper_message("conv-1", "x" * 2001, "c-1")

    assert rig.texts("conv-1") == []


@pytest.fixture
def client(
    sessions: sessionmaker[Session], shop: ShopFixture, tmp_path: Path
) -> Iterator[tuple[TestClient, sessionmaker[Session], Engine]]:
    services = gateway_services(sessions, FakeAssistant(), SECRET)
    AgentRepository(sessions, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)).create(
        "carol", "Carol", "carol-pw"
    )
    unreachable = make_engine(f"sqlite:///{tmp_path / 'missing' / 'shop.db'}")
    with TestClient(create_app(Settings.from_env({}), services)) as test_client:
        yield test_client, sessions, unreachable
    unreachable.dispose()


def test_the_http_api_holds_messages_and_the_desk_says_503_while_the_database_is_down(
    client: tuple[TestClient, sessionmaker[Session], Engine], engine: Engine
) -> None:
    http, sessions, unreachable = client
    assert http.post("/api/desk/login", json={"username": "carol", "password": "carol-pw"})

    sessions.configure(bind=unreachable)
    try:
        held = http.post("/api/messages", json={"sender_id": "guest-1", "text": "hello"})
        queue = http.get("/api/desk/queue")
    finally:
        sessions.configure(bind=engine)

    assert held.status_code == 200
    assert [m["text"] for m in held.json()["messages"]] == [DATABASE_DOWN_REPLY]
    assert queue.status_code == 503 and queue.headers["retry-after"] == "5"


def test_the_http_api_speaks_for_guests_only(
    client: tuple[TestClient, sessionmaker[Session], Engine], shop: ShopFixture
) -> None:
    http, sessions, _ = client
    ConversationRepository(sessions).open("adas-conversation", shop.ada_id)

    post = http.post("/api/messages", json={"sender_id": "adas-conversation", "text": "orders?"})
    read = http.get("/api/conversations/adas-conversation/messages")

    assert post.status_code == 403
    assert read.status_code == 404
    assert ConversationRepository(sessions).transcript("adas-conversation") == []
