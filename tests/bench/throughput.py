"""Saturated throughput: bare Rasa and ShopSense answering as fast as they can, in one run.

``clients`` closed-loop clients each send the latency run's shopper lines one after another with
no pause, for ``seconds``: to the bare reference assistant over Rasa's REST channel, then to
ShopSense through the widget protocol (signed-in customers). Turns answered per second is the
saturated throughput on this machine; their ratio is what compares, since both run on the same
cores minutes apart. The gateway's rate limits are raised for the benchmark's stack (a closed
loop is not a shopper), but the limiter still runs on every message.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from tests.bench.turn_latency import SHOPPER_LINES
from tests.widget_client import WidgetClient, loopback_ip

# The benchmark stack's gateway limits ("burst,per_second"): far above what the clients reach.
BENCH_RATE = "100000,100000"


@dataclass
class Tally:
    turns: int = 0
    errors: int = 0


async def _closed_loop(
    seconds: float, clients: int, one_client: Callable[[int, float, Tally], Awaitable[None]]
) -> dict[str, float]:
    tally = Tally()
    started = time.monotonic()
    await asyncio.gather(*(one_client(n, started + seconds, tally) for n in range(clients)))
    elapsed = time.monotonic() - started
    return {
        "turns": tally.turns,
        "errors": tally.errors,
        "seconds": round(elapsed, 1),
        "turns_per_s": round(tally.turns / elapsed, 2),
    }


async def saturate_rasa(url: str, clients: int, seconds: float) -> dict[str, float]:
    async def client(_n: int, deadline: float, tally: Tally) -> None:
        async with httpx.AsyncClient(timeout=60) as rest:
            while time.monotonic() < deadline:
                sender = f"sat-{uuid.uuid4().hex[:12]}"
                for line in SHOPPER_LINES:
                    body = {"sender": sender, "message": line}
                    answer = await rest.post(f"{url}/webhooks/rest/webhook", json=body)
                    if answer.status_code == 200:
                        tally.turns += 1
                    else:
                        tally.errors += 1

    return await _closed_loop(seconds, clients, client)


async def saturate_gateway(
    url: str, tokens: Callable[[], str | None], clients: int, seconds: float
) -> dict[str, float]:
    async def client(n: int, deadline: float, tally: Tally) -> None:
        while time.monotonic() < deadline:
            widget = WidgetClient(url, source_ip=loopback_ip(2000 + n), timeout_s=60)
            await widget.connect()
            try:
                await widget.hello(tokens())
                for line in SHOPPER_LINES:
                    ack = await widget.say(line)
                    if ack.get("ok"):
                        tally.turns += 1
                    else:
                        tally.errors += 1
            finally:
                await widget.close()

    return await _closed_loop(seconds, clients, client)


def throughput_summary(
    bare: dict[str, float], shopsense: dict[str, float], clients: int
) -> dict[str, object]:
    ratio = shopsense["turns_per_s"] / bare["turns_per_s"] if bare["turns_per_s"] else None
    return {
        "clients": clients,
        "bare_rasa_turns_per_s": bare["turns_per_s"],
        "shopsense_turns_per_s": shopsense["turns_per_s"],
        "ratio": round(ratio, 3) if ratio is not None else None,
        "bare_rasa": bare,
        "shopsense": shopsense,
    }
