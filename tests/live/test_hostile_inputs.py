"""The hostile-input corpus (tests/data/hostile) against the real stack, through the widget's
socket.io protocol and the gateway's HTTP API: no crash anywhere, no 500, and every input gets
a sensible answer — the assistant's reply, or the gateway's own reason for refusing it."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.guards import MAX_MESSAGE_CHARS, TOO_FAST, TOO_LONG, clean_text
from bot.stack import Stack
from bot.switchboard import DATABASE_DOWN_REPLY, SILENT_REPLY, UNAVAILABLE_REPLY
from tests.hostile import HostileText, SocketPayload, http_bodies, socket_payloads, texts
from tests.widget_client import WidgetClient, loopback_ip

pytestmark = [pytest.mark.live, pytest.mark.slow]

GATEWAY_NOTICES = {SILENT_REPLY, UNAVAILABLE_REPLY, DATABASE_DOWN_REPLY}
PER_CONVERSATION = 6  # inputs per widget connection: within one connection's burst budget
CRASH_MARKS = ("Traceback", "Encountered an exception while running action", "Exception occurred")


class LogWatch:
    """What the stack's processes logged from now on."""

    def __init__(self, stack: Stack) -> None:
        self._paths = {
            name: stack.config.state_dir / "logs" / f"{name}.log" for name in stack.names
        }
        self._offsets = {name: _size(path) for name, path in self._paths.items()}

    def new_lines(self) -> dict[str, list[str]]:
        lines = {}
        for name, path in self._paths.items():
            with path.open("rb") as log:
                log.seek(self._offsets[name])
                lines[name] = log.read().decode(errors="replace").splitlines()
        return lines

    def crashes(self) -> list[str]:
        return [
            f"{name}: {line}"
            for name, lines in self.new_lines().items()
            for line in lines
            if any(mark in line for mark in CRASH_MARKS)
        ]


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _batches(items: Sequence[Any], size: int) -> Iterator[tuple[int, Sequence[Any]]]:
    for start in range(0, len(items), size):
        yield start // size, items[start : start + size]


def _widget_verdict(item: HostileText, ack: Any, replies: list[dict[str, Any]]) -> str | None:
    """Why this answer is not sensible, or None when it is."""
    if not isinstance(ack, dict):
        return f"ack {ack!r}"
    if ack.get("ok") is False:
        if ack.get("error") == TOO_LONG and len(clean_text(item.text)) > MAX_MESSAGE_CHARS:
            return None
        return f"refused: {ack.get('error')!r}"
    said = [r.get("text", "") for r in replies if r.get("sender") in ("bot", "system")]
    if not any(said):
        return "no reply"
    if GATEWAY_NOTICES & set(said):
        return f"the gateway covered for the assistant: {said}"
    return None


async def _through_widget(url: str, items: Sequence[HostileText], first_ip: int) -> list[str]:
    failures = []
    for number, batch in _batches(items, PER_CONVERSATION):
        widget = WidgetClient(url, source_ip=loopback_ip(first_ip + number), timeout_s=60)
        await widget.connect()
        try:
            await widget.hello()
            for item in batch:
                widget.received.clear()
                ack = await widget.say(item.text)
                verdict = _widget_verdict(item, ack, widget.received)
                if verdict:
                    failures.append(f"widget {item}: {verdict}")
        finally:
            await widget.close()
    return failures


def _unpaired_surrogates(text: str) -> bool:
    return any(0xD800 <= ord(char) <= 0xDFFF for char in text)


def _http_verdict(item: HostileText, response: httpx.Response) -> str | None:
    too_long = len(clean_text(item.text)) > MAX_MESSAGE_CHARS
    if response.status_code in (413, 422) and too_long:
        return None
    if response.status_code == 422 and _unpaired_surrogates(item.text):
        return None  # the HTTP API takes valid Unicode only (the widget's text is cleaned)
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    said = [m["text"] for m in response.json()["messages"]]
    if not any(said):
        return "no reply"
    if GATEWAY_NOTICES & set(said):
        return f"the gateway covered for the assistant: {said}"
    return None


async def _through_http(url: str, items: Sequence[HostileText], first_ip: int) -> list[str]:
    failures = []
    for number, batch in _batches(items, PER_CONVERSATION):
        transport = httpx.AsyncHTTPTransport(local_address=loopback_ip(first_ip + number))
        async with httpx.AsyncClient(base_url=url, transport=transport, timeout=60) as client:
            for item in batch:
                body = {"sender_id": f"hostile-http-{first_ip}-{number}", "text": item.text}
                content = json.dumps(body).encode()  # keeps unpaired surrogates as \ud800 escapes
                response = await client.post(
                    "/api/messages", content=content, headers={"content-type": "application/json"}
                )
                verdict = _http_verdict(item, response)
                if verdict:
                    failures.append(f"http {item}: {verdict}")
    return failures


def test_every_hostile_text_gets_a_sensible_answer_through_the_widget_and_the_http_api(
    live_stack: Stack,
) -> None:
    corpus = texts()
    watch = LogWatch(live_stack)

    async def both() -> list[str]:
        widget, http = await asyncio.gather(
            _through_widget(live_stack.config.gateway_url, corpus, first_ip=2000),
            _through_http(live_stack.config.gateway_url, corpus, first_ip=3000),
        )
        return widget + http

    failures = asyncio.run(both())

    assert len(corpus) >= 150
    assert failures == []
    assert watch.crashes() == []
    assert live_stack.exited() == []


async def _payload_verdicts(url: str, payloads: Sequence[SocketPayload]) -> list[str]:
    failures = []
    for number, batch in _batches(payloads, PER_CONVERSATION):
        widget = WidgetClient(url, source_ip=loopback_ip(4000 + number), timeout_s=60)
        await widget.connect()
        try:
            await widget.hello()
            for payload in batch:
                ack = await widget.call(payload.event, payload.data)
                if not isinstance(ack, dict) or ack.get("ok") not in (True, False):
                    failures.append(f"{payload.event} {str(payload.data)[:80]}: ack {ack!r}")
                elif ack["ok"] is False and not ack.get("error"):
                    failures.append(f"{payload.event} {str(payload.data)[:80]}: no reason")
            if not widget.client.connected:
                failures.append(f"batch {number}: the connection was dropped")
        finally:
            await widget.close()
    return failures


def test_socket_events_with_data_of_the_wrong_shape_are_answered_not_crashed_on(
    live_stack: Stack,
) -> None:
    payloads = socket_payloads()
    watch = LogWatch(live_stack)

    failures = asyncio.run(_payload_verdicts(live_stack.config.gateway_url, payloads))

    assert len(payloads) >= 40
    assert failures == []
    assert watch.crashes() == []


def test_malformed_http_bodies_get_4xx_never_500(live_stack: Stack) -> None:
    bodies = http_bodies()
    transport = httpx.HTTPTransport(local_address=loopback_ip(5000))
    with httpx.Client(base_url=live_stack.config.gateway_url, transport=transport) as client:
        statuses = [
            client.post(
                "/api/messages", content=body, headers={"content-type": "application/json"}
            ).status_code
            for body in bodies
        ]

    assert len(bodies) >= 25
    assert set(statuses) <= {200, 400, 413, 422}, list(
        zip(statuses, map(base64.b64encode, bodies), strict=True)
    )
    assert live_stack.is_healthy("gateway")


def test_an_oversized_socket_frame_drops_only_that_connection(live_stack: Stack) -> None:
    async def attack_then_chat() -> tuple[bool, dict[str, Any]]:
        attacker = WidgetClient(live_stack.config.gateway_url, source_ip=loopback_ip(5100))
        await attacker.connect()
        await attacker.hello()
        await attacker.client.emit("message", {"client_id": "big", "text": "x" * 2_000_000})
        await asyncio.sleep(2)
        dropped = not attacker.client.connected
        await attacker.close()
        shopper = WidgetClient(live_stack.config.gateway_url, source_ip=loopback_ip(5101))
        await shopper.connect()
        try:
            await shopper.hello()
            return dropped, await shopper.say("hello")
        finally:
            await shopper.close()

    dropped, ack = asyncio.run(attack_then_chat())

    assert dropped
    assert ack["ok"] is True


def test_a_message_flood_is_slowed_down_for_that_connection_only(live_stack: Stack) -> None:
    url = live_stack.config.gateway_url

    async def flood() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        flooder = WidgetClient(url, source_ip=loopback_ip(5200))
        neighbour = WidgetClient(url, source_ip=loopback_ip(5200))  # same address
        await flooder.connect()
        await neighbour.connect()
        try:
            await flooder.hello()
            await neighbour.hello()
            acks = await asyncio.gather(
                *(
                    flooder.call("message", {"client_id": f"flood-{n}", "text": f"flood {n}"})
                    for n in range(20)
                )
            )
            return list(acks), await neighbour.say("hello, is anyone there?")
        finally:
            await flooder.close()
            await neighbour.close()

    acks, neighbour = asyncio.run(flood())
    refused = [ack for ack in acks if ack == {"ok": False, "error": TOO_FAST}]

    assert len(refused) >= 10  # a burst of 8 per connection, hello included
    assert sum(ack.get("ok") is True for ack in acks) >= 5
    assert neighbour["ok"] is True
    assert live_stack.is_healthy("gateway")
