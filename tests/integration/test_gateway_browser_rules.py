"""What a hostile web page can do to the gateway through a visitor's browser (checked in process):
the desk cookie is Secure behind TLS, a cross-site form cannot post to the JSON API, and neither
the HTTP API nor socket.io answer another site's scripts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.desk_auth import COOKIE
from insight.agents import DEMO_AGENT_PASSWORD
from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import upgrade
from insight.settings import Settings
from tests.factories import build_small_shop
from tests.gateway_fakes import FakeAssistant, gateway_services

EVIL = "https://evil.example"
LOGIN = {"username": "alice", "password": DEMO_AGENT_PASSWORD}


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Any]:
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade(engine)
    build_small_shop(make_sessionmaker(engine))
    settings = Settings.from_env({"SHOPSENSE_DEMO_TOKENS": "1"})
    yield create_app(settings, gateway_services(make_sessionmaker(engine), FakeAssistant()))
    engine.dispose()


@pytest.mark.parametrize(
    ("base_url", "secure"), [("https://shop.example", True), ("http://testserver", False)]
)
def test_the_desk_cookie_is_secure_whenever_the_desk_came_over_tls(
    gateway: Any, base_url: str, secure: bool
) -> None:
    """Already safe. Behind a TLS proxy uvicorn's --proxy-headers makes the scheme https."""
    with TestClient(gateway, base_url=base_url) as client:
        cookie = client.post("/api/desk/login", json=LOGIN).headers["set-cookie"]

    assert ("; Secure" in cookie) is secure
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_cross_site_form_cannot_post_to_the_desk(gateway: Any, content_type: str) -> None:
    """Already safe. An HTML form (the only cross-site POST without a preflight) sends these
    content types; the API reads JSON only, so neither a login nor a reply goes through, even
    were the cookie sent along."""
    with TestClient(gateway) as client:
        login = client.post(
            "/api/desk/login",
            content=json.dumps(LOGIN),
            headers={"content-type": content_type},
        )
        assert login.status_code == 422 and COOKIE not in login.cookies
        client.post("/api/desk/login", json=LOGIN)
        taken = client.post("/api/desk/conversations/conv-x/take")
        reply = client.post(
            "/api/desk/conversations/conv-x/messages",
            content='{"text": "click this link"}',
            headers={"content-type": content_type},
        )

    assert taken.status_code == 409  # no such conversation: the login worked
    assert reply.status_code == 422


def test_the_http_api_grants_no_other_site_a_cross_origin_read(gateway: Any) -> None:
    """Already safe: no CORS middleware, so browsers keep other sites' scripts from reading."""
    with TestClient(gateway) as client:
        client.post("/api/desk/login", json=LOGIN)
        preflight = client.options(
            "/api/desk/queue",
            headers={"Origin": EVIL, "Access-Control-Request-Method": "GET"},
        )
        read = client.get("/api/desk/queue", headers={"Origin": EVIL})

    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in read.headers


@pytest.mark.parametrize(("origin", "accepted"), [(EVIL, False), ("http://testserver", True)])
def test_socket_io_accepts_only_its_own_origin(gateway: Any, origin: str, accepted: bool) -> None:
    """Already safe: engine.io refuses a handshake from another origin (its default)."""
    with TestClient(gateway) as client:
        handshake = client.get(
            "/socket.io/", params={"EIO": "4", "transport": "polling"}, headers={"Origin": origin}
        )

    assert (handshake.status_code == 200) is accepted
    assert handshake.headers.get("access-control-allow-origin") in (None, origin)
