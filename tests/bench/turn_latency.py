"""Turn latency: a bare Rasa turn next to a full ShopSense turn, measured in the same run.

(a) bare Rasa: the reference assistant (``reference_bot``: ShopSense's config and NLU, one plain
    response per intent, no custom actions) over Rasa's REST channel;
(b) ShopSense: the same shopper lines typed into the widget's protocol (socket.io) by a signed-in
    customer, so each turn pays for the gateway (hygiene, storage, routing), the per-turn emotion
    slot action, and the profile fetch, FAQ search or suggestions the line calls for. A turn ends
    when the gateway acknowledges the message, after every reply was stored and sent.

The two are timed turn by turn in alternation, (a) then (b), so that both see the same load on
a shared machine. Both Rasa servers keep their trackers in a SQL (SQLite) tracker store.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx

from tests.bench.measure import percentiles
from tests.widget_client import WidgetClient, loopback_ip

SHOPPER_LINES = (
    "hi there",  # greeting (by name for a known customer)
    "what do you sell?",  # categories from the shop database
    "do you ship to norway?",  # FAQ: sentence encoder + FAISS
    "how long do i have to return something",  # FAQ
    "can you recommend something for me?",  # suggestions from the shopper's profile
    "headphones under 100 please",  # suggestions for a category and a budget
    "thanks, that's all",
)
WARM_UP_TIMEOUT_S = 900.0  # the first FAQ turn may load the encoder or build the index


@dataclass
class LatencyRun:
    bare_ms: list[float] = field(default_factory=list)
    shopsense_ms: list[float] = field(default_factory=list)
    by_line: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # the 1-minute load average when timing began and ended: other work on a shared machine
    load_average: list[float] = field(default_factory=list)

    def add(self, line: str, bare_ms: float, shopsense_ms: float) -> None:
        self.bare_ms.append(bare_ms)
        self.shopsense_ms.append(shopsense_ms)
        bare, full = self.by_line.setdefault(line, ([], []))
        bare.append(bare_ms)
        full.append(shopsense_ms)

    def summary(self) -> dict[str, object]:
        bare, full = percentiles(self.bare_ms), percentiles(self.shopsense_ms)
        return {
            "bare_rasa": bare,
            "shopsense": full,
            "ratio_p50": round(full["p50"] / bare["p50"], 2) if bare["p50"] else None,
            "ratio_p95": round(full["p95"] / bare["p95"], 2) if bare["p95"] else None,
            "turns": len(self.shopsense_ms),
            "errors": len(self.errors),
            "load_average_1m": self.load_average,
            "p50_by_line": {
                line: {"bare_rasa": percentiles(b)["p50"], "shopsense": percentiles(f)["p50"]}
                for line, (b, f) in self.by_line.items()
            },
        }


async def run_latency(
    bare_url: str,
    gateway_url: str,
    tokens: Callable[[], str | None],
    conversations: int,
    *,
    lines: Sequence[str] = SHOPPER_LINES,
    timeout_s: float = 60.0,
) -> LatencyRun:
    """``conversations`` conversations of ``lines``, each line timed on (a) then (b)."""
    run = LatencyRun(load_average=[round(os.getloadavg()[0], 2)])
    async with httpx.AsyncClient(timeout=timeout_s) as rest:
        for number in range(conversations):
            sender = f"bench-{uuid.uuid4().hex[:12]}"
            widget = WidgetClient(gateway_url, source_ip=loopback_ip(number), timeout_s=timeout_s)
            await widget.connect()
            try:
                await widget.hello(tokens())
                for line in lines:
                    body = {"sender": sender, "message": line}
                    started = time.perf_counter()
                    answer = await rest.post(f"{bare_url}/webhooks/rest/webhook", json=body)
                    bare_ms = (time.perf_counter() - started) * 1000
                    started = time.perf_counter()
                    ack = await widget.say(line)
                    full_ms = (time.perf_counter() - started) * 1000
                    if answer.status_code != 200 or not ack.get("ok"):
                        run.errors.append(f"{line!r}: HTTP {answer.status_code}, ack {ack}")
                    run.add(line, bare_ms, full_ms)
            finally:
                await widget.close()
    run.load_average.append(round(os.getloadavg()[0], 2))
    return run
