"""Concurrency: N simulated shoppers hold multi-turn conversations with ShopSense at once.

Each shopper is a widget (socket.io, its own loopback address), signed in as a customer of the
shop, and goes through conversations picked from :data:`SCRIPTS`, pausing 1–3 s before each line
as a person would, until the level's time is up. A turn is timed from sending the line to the
gateway's acknowledgement (every reply stored and delivered). An error is any turn that was not
answered properly: a refused or timed-out message, a lost connection, or the gateway's own
"give me a moment" notice instead of the assistant's answer.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.switchboard import DATABASE_DOWN_REPLY, SILENT_REPLY, UNAVAILABLE_REPLY
from tests.bench.measure import percentiles
from tests.widget_client import WidgetClient, loopback_ip

SCRIPTS: tuple[tuple[str, ...], ...] = (
    (
        "hi",
        "what do you sell?",
        "can you recommend something for me?",
        "headphones under 100 please",
        "thanks, bye",
    ),
    (
        "hello",
        "do you ship to norway?",
        "how long do i have to return something",
        "which payment methods do you take?",
        "ok thank you",
    ),
    ("hey there", "where is my order?", "when will it arrive?", "great, thanks"),
)
GATEWAY_NOTICES = frozenset({DATABASE_DOWN_REPLY, SILENT_REPLY, UNAVAILABLE_REPLY})
THINK_S = (1.0, 3.0)
RAMP_S = 5.0


@dataclass
class LevelTally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def summary(self, users: int, elapsed_s: float) -> dict[str, Any]:
        cut = percentiles(self.latencies_ms)
        return {
            "users": users,
            "duration_s": round(elapsed_s, 1),
            "turns": len(self.latencies_ms),
            "turns_per_s": round(len(self.latencies_ms) / elapsed_s, 2),
            "p50_ms": cut["p50"],
            "p95_ms": cut["p95"],
            "p99_ms": cut["p99"],
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
        }


async def _shopper(
    number: int,
    gateway_url: str,
    token: Callable[[], str | None],
    *,
    deadline: float,
    tally: LevelTally,
    rng: random.Random,
    timeout_s: float,
) -> None:
    await asyncio.sleep(rng.uniform(0, RAMP_S))
    widget = WidgetClient(gateway_url, source_ip=loopback_ip(1000 + number), timeout_s=timeout_s)
    try:
        await widget.connect()
        while time.monotonic() < deadline:
            hello = await widget.hello(token())
            if not hello.get("ok"):
                tally.errors[f"hello: {hello.get('error')}"] += 1
                await asyncio.sleep(1.0)
                continue
            await _converse(widget, rng.choice(SCRIPTS), deadline, tally, rng)
    except (TimeoutError, OSError, ConnectionError) as error:
        tally.errors[type(error).__name__] += 1
    except Exception as error:  # socketio's own errors; the benchmark counts, never crashes
        tally.errors[f"{type(error).__module__}.{type(error).__name__}"] += 1
    finally:
        await widget.close()


async def _converse(
    widget: WidgetClient,
    script: Sequence[str],
    deadline: float,
    tally: LevelTally,
    rng: random.Random,
) -> None:
    for line in script:
        await asyncio.sleep(rng.uniform(*THINK_S))
        if time.monotonic() >= deadline:
            return
        widget.received.clear()
        started = time.perf_counter()
        ack = await widget.say(line)
        elapsed_ms = (time.perf_counter() - started) * 1000
        if not ack.get("ok"):
            tally.errors[f"refused: {ack.get('error')}"] += 1
        elif any(text in GATEWAY_NOTICES for text in widget.texts("bot") + widget.texts("system")):
            tally.errors["gateway notice instead of an answer"] += 1
        elif not widget.texts("bot"):
            tally.errors["no answer"] += 1
        else:
            tally.latencies_ms.append(elapsed_ms)


async def run_level(
    gateway_url: str,
    users: int,
    duration_s: float,
    token: Callable[[], str | None],
    *,
    seed: int = 7,
    timeout_s: float = 60.0,
) -> dict[str, Any]:
    """``users`` shoppers for ``duration_s`` seconds; throughput, latency and errors."""
    tally = LevelTally()
    rng = random.Random(seed)
    started = time.monotonic()
    deadline = started + duration_s
    await asyncio.gather(
        *(
            _shopper(
                n,
                gateway_url,
                token,
                deadline=deadline,
                tally=tally,
                rng=random.Random(rng.random()),
                timeout_s=timeout_s,
            )
            for n in range(users)
        )
    )
    return tally.summary(users, time.monotonic() - started)
