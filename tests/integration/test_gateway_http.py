"""The gateway's HTTP API and pages through FastAPI's test client: agent login, the desk's
actions, the demo-only token endpoints, the metrics and the OpenAPI schema."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.desk_auth import COOKIE
from bot.handback import FALLBACK_TEXT
from bot.metrics import PHASES
from bot.tokens import CustomerTokens
from insight.agents import DEMO_AGENT_PASSWORD
from insight.db.engine import make_engine, make_sessionmaker, reachable
from insight.db.migrate import upgrade
from insight.repositories import OrderRepository
from insight.settings import Settings, TokenKey
from insight.support.invoices import LINK_PATH, InvoiceLinks
from tests.factories import build_small_shop
from tests.gateway_fakes import DESK_SECRET, TOKEN_SECRET, FakeAssistant, gateway_services

ENV = {"SHOPSENSE_DEMO_TOKENS": "1", "AGENT_USERNAME": "carol", "AGENT_PASSWORD": "carol-pw"}


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade(engine)
    build_small_shop(make_sessionmaker(engine))
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def assistant() -> FakeAssistant:
    return FakeAssistant()


def _client(
    sessions: sessionmaker[Session], assistant: FakeAssistant, env: dict[str, str]
) -> TestClient:
    return TestClient(create_app(Settings.from_env(env), gateway_services(sessions, assistant)))


@pytest.fixture
def client(sessions: sessionmaker[Session], assistant: FakeAssistant) -> Iterator[TestClient]:
    with _client(sessions, assistant, ENV) as test_client:
        yield test_client


def _login(
    client: TestClient, username: str = "alice", password: str = DEMO_AGENT_PASSWORD
) -> None:
    response = client.post("/api/desk/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text


def test_the_openapi_schema_describes_the_main_paths(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert {
        "/api/messages",
        "/api/conversations/{conversation_id}/messages",
        "/api/desk/login",
        "/api/desk/logout",
        "/api/desk/me",
        "/api/desk/queue",
        "/api/desk/conversations/{conversation_id}",
        "/api/desk/conversations/{conversation_id}/assist",
        "/api/desk/conversations/{conversation_id}/take",
        "/api/desk/conversations/{conversation_id}/messages",
        "/api/desk/conversations/{conversation_id}/notes",
        "/api/desk/conversations/{conversation_id}/handback",
        "/api/desk/tickets",
        "/api/demo/customers",
        "/api/demo/tokens",
        "/healthz",
        "/readyz",
    } <= set(paths)


def test_the_pages_and_their_scripts_are_served(client: TestClient) -> None:
    shop, desk = client.get("/"), client.get("/desk")

    assert shop.status_code == desk.status_code == 200
    assert "/static/widget.js" in shop.text and "/static/vendor/socket.io.min.js" in shop.text
    assert "/static/desk.js" in desk.text
    assert "textContent" in client.get("/static/safe_text.js").text


def test_agents_log_in_with_their_password_and_get_an_httponly_cookie(client: TestClient) -> None:
    assert client.get("/api/desk/me").status_code == 401
    wrong = client.post("/api/desk/login", json={"username": "alice", "password": "nope"})
    unknown = client.post("/api/desk/login", json={"username": "mallory", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401

    response = client.post(
        "/api/desk/login", json={"username": "Alice", "password": DEMO_AGENT_PASSWORD}
    )

    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert client.get("/api/desk/me").json()["display_name"] == "Alice Martin"
    client.post("/api/desk/logout")
    assert client.get("/api/desk/me").status_code == 401


def test_the_agent_from_the_environment_is_created_once(
    sessions: sessionmaker[Session], assistant: FakeAssistant
) -> None:
    with _client(sessions, assistant, ENV) as first:
        _login(first, "carol", "carol-pw")
    with _client(sessions, assistant, ENV | {"AGENT_PASSWORD": "changed"}) as second:
        _login(second, "carol", "carol-pw")  # an existing agent is never overwritten


def test_without_demo_mode_there_are_no_demo_agents_and_no_token_endpoint(
    sessions: sessionmaker[Session], assistant: FakeAssistant
) -> None:
    with _client(sessions, assistant, {}) as client:
        assert client.post("/api/demo/tokens", json={"customer_ref": "C-ADA"}).status_code == 404
        assert "/api/demo/tokens" not in client.get("/openapi.json").json()["paths"]
        login = {"username": "alice", "password": DEMO_AGENT_PASSWORD}
        assert client.post("/api/desk/login", json=login).status_code == 401


def test_the_demo_endpoint_signs_tokens_like_the_shop_would(client: TestClient) -> None:
    customers = client.get("/api/demo/customers").json()
    token = client.post("/api/demo/tokens", json={"customer_ref": "C-ADA"}).json()

    assert customers[0] == {"ref": "C-ADA", "name": "Ada Lovelace", "orders": 2}
    assert CustomerTokens([TokenKey(TOKEN_SECRET)]).verify(token["token"]).customer_ref == "C-ADA"
    assert client.post("/api/demo/tokens", json={"customer_ref": "C-NONE"}).status_code == 404


def test_an_agent_picks_replies_notes_and_hands_back_over_http(
    client: TestClient, assistant: FakeAssistant
) -> None:
    client.post("/api/messages", json={"sender_id": "shopper-1", "text": "hello"})
    _login(client)
    assert [c["id"] for c in client.get("/api/desk/queue").json()["with_assistant"]] == [
        "shopper-1"
    ]

    taken = client.post("/api/desk/conversations/shopper-1/take")
    reply = client.post(
        "/api/desk/conversations/shopper-1/messages",
        json={"text": "Hi, Alice here", "client_id": "a1"},
    )
    note = client.post("/api/desk/conversations/shopper-1/notes", json={"text": "asked twice"})
    silent = client.post("/api/messages", json={"sender_id": "shopper-1", "text": "thanks!"})
    detail = client.get("/api/desk/conversations/shopper-1").json()
    back = client.post(
        "/api/desk/conversations/shopper-1/handback", json={"task": "back_to_assistant"}
    )

    assert taken.status_code == 200 and taken.json()["owner"] == "agent"
    assert reply.json()["sender"] == "agent"
    assert note.json()["text"] == "asked twice"
    assert silent.json()["messages"] == []
    assert [n["text"] for n in detail["notes"]] == ["asked twice"]
    assert [m["sender"] for m in detail["messages"]] == [
        "shopper",
        "bot",
        "system",
        "agent",
        "shopper",
    ]
    assert back.json()["owner"] == "bot"
    shopper_view = client.get("/api/conversations/shopper-1/messages").json()
    assert shopper_view[-1]["text"] == FALLBACK_TEXT
    assert "asked twice" not in str(shopper_view)
    assert assistant.events == [("shopper-1", "pause"), ("shopper-1", "resume")]


def test_conflicting_desk_actions_answer_409(client: TestClient) -> None:
    client.post("/api/messages", json={"sender_id": "shopper-1", "text": "hello"})
    _login(client)

    not_held = client.post("/api/desk/conversations/shopper-1/messages", json={"text": "hi"})
    client.post("/api/desk/conversations/shopper-1/take")
    taken_twice = client.post("/api/desk/conversations/shopper-1/take")
    bad_task = client.post("/api/desk/conversations/shopper-1/handback", json={"task": "dance"})
    missing = client.get("/api/desk/conversations/nope")

    assert not_held.status_code == taken_twice.status_code == 409
    assert bad_task.status_code == 422
    assert missing.status_code == 404


def test_tickets_are_listed_for_agents_only(client: TestClient) -> None:
    assert client.get("/api/desk/tickets").status_code == 401
    _login(client)
    assert client.get("/api/desk/tickets").json() == []


def test_the_analytics_are_for_admins_and_export_csv(client: TestClient) -> None:
    client.post("/api/messages", json={"sender_id": "shopper-1", "text": "hello"})
    assert client.get("/api/desk/analytics").status_code == 401
    _login(client, "bob")
    assert client.get("/api/desk/me").json()["is_admin"] is False
    assert client.get("/api/desk/analytics").status_code == 403

    _login(client, "alice")
    figures = client.get("/api/desk/analytics").json()
    exported = client.get("/api/desk/analytics.csv", params={"table": "days"})
    backwards = client.get(
        "/api/desk/analytics", params={"since": "2026-12-01", "until": "2026-11-01"}
    )
    unknown = client.get("/api/desk/analytics.csv", params={"table": "agents"})

    assert figures["conversations"] == 1 and figures["containment"] == 1.0
    assert len(figures["days"]) == 30
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    assert exported.text.splitlines()[0] == "day,conversations,handed_over,containment"
    assert backwards.status_code == unknown.status_code == 422


def test_a_period_ending_before_any_default_start_is_refused_not_a_crash(
    client: TestClient,
) -> None:
    """Found by schemathesis: the default start (30 days before ``until``) overflowed into a
    500 for an ``until`` in January of year 1."""
    _login(client, "alice")

    response = client.get("/api/desk/analytics", params={"until": "0001-01-01"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "until"]


def _scraped(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_count_answered_turns_and_time_each_phase_for_the_token_holder(
    sessions: sessionmaker[Session], assistant: FakeAssistant
) -> None:
    token = "metrics-scraper-token-0123456789"
    with _client(sessions, assistant, {**ENV, "SHOPSENSE_METRICS_TOKEN": token}) as client:
        refused = client.get("/metrics")  # the test client is not on the loopback interface
        wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        for text in ("hello", "where is my order"):
            client.post("/api/messages", json={"sender_id": "shopper-1", "text": text})
        scraped = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})

    assert refused.status_code == wrong.status_code == 403
    assert scraped.status_code == 200
    samples = _scraped(scraped.text)
    assert samples[("shopsense_turns_total", (("outcome", "answered"),))] == 2
    assert samples[("shopsense_turn_seconds_count", ())] == 2
    for phase in PHASES:
        assert samples[("shopsense_turn_phase_seconds_count", (("phase", phase),))] == 2
        assert samples[("shopsense_turn_phase_seconds_sum", (("phase", phase),))] > 0
    assert samples[("shopsense_queue_length", ())] == 0
    assert samples[("shopsense_held_messages", ())] == 0


def test_readiness_names_the_missing_dependency_while_liveness_stays_up(
    client: TestClient, assistant: FakeAssistant
) -> None:
    deadline = time.monotonic() + 10  # the understanding model loads in the background
    while (ready := client.get("/readyz")).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "assistant": "ok", "understanding": "ok"},
    }

    assistant.down = True
    not_ready = client.get("/readyz")

    assert not_ready.status_code == 503
    assert not_ready.json()["checks"] == {
        "database": "ok",
        "assistant": "unreachable",
        "understanding": "ok",
    }
    assert client.get("/healthz").status_code == 200


def test_the_database_check_says_whether_a_query_gets_an_answer(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    nowhere = make_engine(f"sqlite:///{tmp_path / 'no such folder' / 'shop.db'}")

    assert reachable(sessions)
    assert not reachable(make_sessionmaker(nowhere))


def test_an_invoice_link_opens_that_order_only_and_is_never_cached(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    orders = OrderRepository(sessions)
    shipped = orders.by_number("SS-100001")
    assert shipped is not None
    link = InvoiceLinks(DESK_SECRET).url(shipped)
    assert link is not None

    page = client.get(link)

    assert page.status_code == 200, page.text
    assert "INV-SS-100001" in page.text and "Ada Lovelace" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    forged = InvoiceLinks("someone-elses-secret-long-enough-to-sign").url(shipped)
    assert forged is not None
    assert client.get(forged).status_code == 404
    assert "not valid or has expired" in client.get(LINK_PATH + "garbage").text


def test_an_invoice_link_for_an_order_moved_to_another_account_opens_nothing(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    shipped = OrderRepository(sessions).by_number("SS-100001")
    assert shipped is not None
    link = InvoiceLinks(DESK_SECRET).url(replace(shipped, customer_id=shipped.customer_id + 1))
    assert link is not None

    assert client.get(link).status_code == 404
