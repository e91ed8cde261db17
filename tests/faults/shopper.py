"""A signed-in shopper's widget for the fault tests: one conversation, turn by turn."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from bot.stack import Stack
from bot.tokens import CustomerTokens
from insight.settings import TokenKey
from tests.stack_secrets import STACK_SECRETS
from tests.widget_client import WidgetClient, loopback_ip


@dataclass(frozen=True)
class Turn:
    ack: dict[str, Any]
    said: list[str]  # what the assistant and the gateway said back, in order
    orders: list[str]  # order numbers of the order cards shown

    def __contains__(self, text: object) -> bool:
        return text in self.said


@dataclass
class Shopper:
    stack: Stack
    ip: int
    customer_ref: str | None = "C-ADA"
    widget: WidgetClient = field(init=False)
    session: dict[str, Any] = field(init=False)

    async def __aenter__(self) -> Shopper:
        self.widget = WidgetClient(
            self.stack.config.gateway_url, source_ip=loopback_ip(self.ip), timeout_s=120
        )
        await self.widget.connect()
        token = (
            CustomerTokens([TokenKey(STACK_SECRETS.customer_token_secret)]).issue(self.customer_ref)
            if self.customer_ref
            else None
        )
        self.session = await self.widget.hello(token)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.widget.close()

    def _turn(self, ack: dict[str, Any], received: list[dict[str, Any]]) -> Turn:
        said = [m for m in received if m.get("sender") in ("bot", "system")]
        cards = [((m.get("payload") or {}).get("custom") or {}).get("order") for m in said]
        return Turn(ack, [str(m["text"]) for m in said], [c["number"] for c in cards if c])

    async def say(self, text: str) -> Turn:
        self.widget.received.clear()
        ack = await self.widget.say(text)
        return self._turn(ack, list(self.widget.received))

    async def wait_for_answers(self, line: str, answers: int, timeout_s: float = 180) -> list[str]:
        """Wait until ``answers`` assistant messages follow ``line``, the last of the messages
        typed during an outage (each held message gets its answer when the outage ends, so one
        answer is not yet the answer to ``line``); returns what the assistant said since the
        last turn."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            received = [(m.get("sender"), str(m.get("text"))) for m in self.widget.received]
            echoed = [n for n, message in enumerate(received) if message == ("shopper", line)]
            after = received[echoed[-1] + 1 :] if echoed else []
            if sum(sender == "bot" for sender, _ in after) >= answers:
                break
            await asyncio.sleep(0.5)
        return [str(m["text"]) for m in self.widget.received if m.get("sender") == "bot"]
