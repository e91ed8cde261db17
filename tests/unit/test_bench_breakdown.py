"""The benchmark's turn breakdown: phase means from two scrapes of the gateway's metrics."""

from __future__ import annotations

from tests.bench.breakdown import Samples, turn_breakdown


def _scrape(turns: int, seconds: dict[str, float], turn_s: float) -> Samples:
    samples: Samples = {
        ("shopsense_turn_seconds_count", ()): turns,
        ("shopsense_turn_seconds_sum", ()): turn_s,
    }
    for phase, total in seconds.items():
        samples[("shopsense_turn_phase_seconds_count", (("phase", phase),))] = turns
        samples[("shopsense_turn_phase_seconds_sum", (("phase", phase),))] = total
    return samples


def test_only_the_turns_between_the_scrapes_count_and_the_rest_is_transport() -> None:
    warm_up = _scrape(2, {"read": 1.0, "store": 1.0, "assistant": 1.0, "replies": 1.0}, 5.0)
    # four timed turns: 10 ms reading, 5 storing, 60 in Rasa, 5 replying, 85 in all
    timed = _scrape(6, {"read": 1.04, "store": 1.02, "assistant": 1.24, "replies": 1.02}, 5.34)

    breakdown = turn_breakdown(warm_up, timed, [95.0, 95.0, 95.0, 95.0], [50.0, 50.0])

    assert breakdown["turns"] == 4
    assert breakdown["mean_ms"] == {
        "read": 10.0,
        "store": 5.0,
        "assistant": 60.0,
        "replies": 5.0,
        "gateway_other": 5.0,
        "transport": 10.0,
    }
    assert breakdown["assistant_over_bare_rasa_ms"] == 10.0
