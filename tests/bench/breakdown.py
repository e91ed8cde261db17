"""Where a ShopSense turn's time goes, from the gateway's own metrics (``bot.metrics``).

The gateway's ``/metrics`` is read before and after the timed turns; the difference of each
phase histogram's sum over the difference of its count is that phase's mean. What the client
measured beyond the gateway's own turn time is the transport (socket.io both ways, the event
loop's queueing). The assistant phase (the Rasa round trip, actions included) is shown next to
the bare reference assistant's mean turn from the same run: the difference is what ShopSense's
pipeline components, slots and actions add inside Rasa.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from statistics import fmean

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import PHASES

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(gateway_url: str) -> Samples:
    text = httpx.get(f"{gateway_url}/metrics", timeout=10).raise_for_status().text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _mean_ms(before: Samples, after: Samples, name: str, labels: Mapping[str, str]) -> float:
    key = tuple(sorted(labels.items()))
    count = after.get((f"{name}_count", key), 0.0) - before.get((f"{name}_count", key), 0.0)
    total = after.get((f"{name}_sum", key), 0.0) - before.get((f"{name}_sum", key), 0.0)
    return round(total / count * 1000, 2) if count else 0.0


def turn_breakdown(
    before: Samples, after: Samples, client_ms: Sequence[float], bare_rasa_ms: Sequence[float]
) -> dict[str, object]:
    phases: dict[str, float] = {
        phase: _mean_ms(before, after, "shopsense_turn_phase_seconds", {"phase": phase})
        for phase in PHASES
    }
    turn = _mean_ms(before, after, "shopsense_turn_seconds", {})
    client = round(fmean(client_ms), 2) if client_ms else 0.0
    bare = round(fmean(bare_rasa_ms), 2) if bare_rasa_ms else 0.0
    means: dict[str, float] = {
        **phases,
        "gateway_other": round(turn - sum(phases.values()), 2),
        "transport": round(client - turn, 2),
    }
    return {
        "mean_ms": means,
        "gateway_turn_mean_ms": turn,
        "client_turn_mean_ms": client,
        "bare_rasa_turn_mean_ms": bare,
        "assistant_over_bare_rasa_ms": round(phases["assistant"] - bare, 2),
        "turns": int(
            after.get(("shopsense_turn_seconds_count", ()), 0.0)
            - before.get(("shopsense_turn_seconds_count", ()), 0.0)
        ),
    }
