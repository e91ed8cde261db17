"""Two Rasa servers behind the gateway, sharing the PostgreSQL tracker store and a Redis lock
store: a conversation may be served by either, its messages are processed one at a time and
none is lost, and through the gateway they are processed in the order they were typed."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.faults.conftest import FaultStack
from tests.widget_client import WidgetClient, loopback_ip

pytestmark = [pytest.mark.live, pytest.mark.slow]

LINES = (
    "hi",
    "what do you sell?",
    "do you ship to norway?",
    "can you recommend headphones?",
    "how long do i have to return something",
    "thanks",
)


def _events(url: str, sender: str, token: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{url}/conversations/{sender}/tracker", params={"token": token}, timeout=60
    )
    response.raise_for_status()
    events: list[dict[str, Any]] = response.json()["events"]
    return events


def _turns(events: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """Each user message with the actions that followed it, up to the next user message."""
    turns: list[tuple[str, list[str]]] = []
    for event in events:
        if event["event"] == "user":
            turns.append((event.get("text") or "", []))
        elif event["event"] == "action" and turns:
            turns[-1][1].append(event["name"])
    return turns


def test_messages_sent_to_both_servers_at_once_are_each_processed_whole_and_once(
    faults: FaultStack,
) -> None:
    faults.ensure_up()
    urls = [f"http://127.0.0.1:{port}" for port in faults.stack.config.rasa_ports.values()]
    sender = f"both-{uuid.uuid4().hex[:10]}"

    async def burst() -> list[int]:
        async with httpx.AsyncClient(timeout=300) as client:

            async def send(n: int, line: str) -> int:
                await asyncio.sleep(0.1 * n)
                body = {"sender": sender, "message": line}
                response = await client.post(f"{urls[n % 2]}/webhooks/rest/webhook", json=body)
                return response.status_code

            return list(await asyncio.gather(*(send(n, line) for n, line in enumerate(LINES))))

    statuses = asyncio.run(burst())
    token = faults.stack.config.rasa_api_token
    turns = _turns(_events(urls[0], sender, token))

    assert statuses == [200] * len(LINES)
    assert sorted(text for text, _ in turns) == sorted(LINES)  # each processed exactly once
    assert all(actions and actions[-1] == "action_listen" for _, actions in turns)
    assert _events(urls[1], sender, token) == _events(urls[0], sender, token)
    assert all("AtomicRedisLockStore" in faults.logs()[name] for name in ("rasa", "rasa-2"))


def test_through_the_gateway_a_conversations_messages_are_processed_in_typed_order(
    faults: FaultStack,
) -> None:
    faults.ensure_up()

    async def type_fast() -> str:
        widget = WidgetClient(
            faults.stack.config.gateway_url, source_ip=loopback_ip(7200), timeout_s=300
        )
        await widget.connect()
        try:
            session = await widget.hello()
            await asyncio.gather(
                *(
                    widget.call("message", {"client_id": f"c{n}", "text": line})
                    for n, line in enumerate(LINES)
                )
            )
            return str(session["conversation_id"])
        finally:
            await widget.close()

    conversation = asyncio.run(type_fast())
    url = faults.stack.config.rasa_url
    turns = _turns(_events(url, conversation, faults.stack.config.rasa_api_token))

    assert [text for text, _ in turns] == list(LINES)
