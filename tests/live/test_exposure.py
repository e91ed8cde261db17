"""What the running stack exposes: every process listens on localhost only, and Rasa's HTTP API
(which can rewrite any conversation) answers only with its token."""

from __future__ import annotations

import httpx
import psutil
import pytest

from bot.stack import Stack

pytestmark = [pytest.mark.live, pytest.mark.slow]


def _listening(pid: int | None) -> set[str]:
    """The addresses a process (and its worker children) accept connections on."""
    assert pid is not None
    parent = psutil.Process(pid)
    return {
        connection.laddr.ip
        for process in (parent, *parent.children(recursive=True))
        for connection in process.net_connections(kind="inet")
        if connection.status == psutil.CONN_LISTEN
    }


def test_every_process_listens_on_localhost_only(live_stack: Stack) -> None:
    listening = {name: _listening(live_stack.pid(name)) for name in live_stack.names}

    assert listening == {name: {"127.0.0.1"} for name in live_stack.names}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/status"),
        ("GET", "/domain"),
        ("GET", "/conversations/someone/tracker"),
        ("POST", "/conversations/someone/tracker/events"),
        ("POST", "/conversations/someone/trigger_intent"),
        ("POST", "/model/parse"),
        ("PUT", "/model"),
    ],
)
def test_the_rasa_http_api_needs_its_token(live_stack: Stack, method: str, path: str) -> None:
    url = live_stack.config.rasa_url + path
    body = {"event": "pause", "name": "greet", "text": "hi"}

    without = httpx.request(method, url, json=body, timeout=30)
    wrong = httpx.request(method, url, json=body, params={"token": "guess"}, timeout=30)

    assert without.status_code == 401
    assert wrong.status_code in (401, 403)


def test_the_rasa_http_api_answers_with_its_token(live_stack: Stack) -> None:
    status = httpx.get(
        f"{live_stack.config.rasa_url}/status",
        params={"token": live_stack.config.rasa_api_token},
        timeout=30,
    )

    assert status.status_code == 200
    assert status.json()["model_file"]
