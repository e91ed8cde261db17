"""Logging out of the desk ends the session on the server, on SQLite and PostgreSQL: a copy of
the cookie (from a shared machine, a proxy log, a stolen backup) is refused afterwards, and the
live desk connections it opened are closed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import socketio
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.desk_auth import COOKIE
from bot.sockets import DESK
from insight.agents import DEMO_AGENT_PASSWORD, AgentRepository
from insight.settings import Settings
from tests.factories import ShopFixture
from tests.gateway_fakes import FakeAssistant, gateway_services
from tests.served import serving

LOGIN = {"username": "alice", "password": DEMO_AGENT_PASSWORD}


@pytest.fixture
def gateway(sessions: sessionmaker[Session], shop: ShopFixture) -> Iterator[TestClient]:
    settings = Settings.from_env({"SHOPSENSE_DEMO_TOKENS": "1"})
    with TestClient(create_app(settings, gateway_services(sessions, FakeAssistant()))) as client:
        yield client


def _status(gateway: TestClient, method: str, path: str, cookie: str) -> int:
    """The answer to a request that carries ``cookie`` alone, as a copy of it would."""
    gateway.cookies.clear()
    gateway.cookies.set(COOKIE, cookie)
    return gateway.request(method, path).status_code


def _login(gateway: TestClient) -> str:
    gateway.cookies.clear()
    assert gateway.post("/api/desk/login", json=LOGIN).status_code == 200
    return gateway.cookies[COOKIE]


def test_a_copied_desk_cookie_is_refused_once_its_agent_logged_out(gateway: TestClient) -> None:
    copied = _login(gateway)
    assert gateway.get("/api/desk/me").status_code == 200

    assert gateway.post("/api/desk/logout").status_code == 204

    assert _status(gateway, "GET", "/api/desk/me", copied) == 401
    assert _status(gateway, "GET", "/api/desk/queue", copied) == 401
    assert _status(gateway, "POST", "/api/desk/logout", copied) == 204  # twice is harmless


def test_logging_out_ends_that_session_only(gateway: TestClient) -> None:
    first = _login(gateway)
    second = _login(gateway)  # the same agent on a second machine

    assert _status(gateway, "POST", "/api/desk/logout", first) == 204

    assert _status(gateway, "GET", "/api/desk/me", first) == 401
    assert _status(gateway, "GET", "/api/desk/me", second) == 200


def test_revocations_are_forgotten_once_their_sessions_expired(
    sessions: sessionmaker[Session],
) -> None:
    agents = AgentRepository(sessions)
    now = datetime.now(UTC).replace(tzinfo=None)

    agents.revoke_session("ended-yesterday", now - timedelta(days=1))
    agents.revoke_session("ends-tonight", now + timedelta(hours=8))
    agents.revoke_session("ends-tonight", now + timedelta(hours=8))  # a second logout

    assert not agents.session_revoked("ended-yesterday")  # its cookie has expired anyway
    assert agents.session_revoked("ends-tonight")
    assert not agents.session_revoked("never-revoked")


async def _desk_socket(url: str, cookie: str) -> tuple[socketio.AsyncClient, asyncio.Event]:
    """A desk's live connection made with ``cookie``, and an event set when the gateway ends it."""
    client = socketio.AsyncClient(reconnection=False)
    ended = asyncio.Event()
    client.on("disconnect", ended.set, namespace=DESK)
    await client.connect(
        url, namespaces=[DESK], headers={"Cookie": f"{COOKIE}={cookie}"}, transports=["websocket"]
    )
    return client, ended


@pytest.mark.asyncio
async def test_logging_out_closes_the_live_desk_connections_of_that_session(
    sessions: sessionmaker[Session], shop: ShopFixture
) -> None:
    """The desk's socket.io connection streams every conversation: a copy of the cookie that
    connected before the logout must not keep listening after it."""
    app = create_app(
        Settings.from_env({"SHOPSENSE_DEMO_TOKENS": "1"}),
        gateway_services(sessions, FakeAssistant()),
    )
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as http:
        cookies = []
        for _ in range(2):  # the same agent on two machines
            http.cookies.clear()
            assert (await http.post("/api/desk/login", json=LOGIN)).status_code == 200
            cookies.append(http.cookies[COOKIE])
        copy, copy_ended = await _desk_socket(url, cookies[0])
        other, other_ended = await _desk_socket(url, cookies[1])
        try:
            http.cookies.clear()
            http.cookies.set(COOKIE, cookies[0])
            assert (await http.post("/api/desk/logout")).status_code == 204
            await asyncio.wait_for(copy_ended.wait(), timeout=5)

            assert DESK not in copy.namespaces
            assert not other_ended.is_set() and DESK in other.namespaces
        finally:
            await copy.disconnect()
            await other.disconnect()
