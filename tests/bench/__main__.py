"""``make bench``: ShopSense's speed, scale and memory → ``bench-results/latest.json`` (+ .md).

1. Start-up and footprint: the full stack (action server, Rasa, gateway) is launched and timed
   until every process answers; each process's RSS is taken once warm (children included).
2. Turn latency: bare Rasa (reference assistant, REST channel) and full ShopSense turns
   (widget protocol, signed-in customer), alternated turn by turn (``turn_latency``), with the
   ShopSense turn's time split by phase from the gateway's metrics (``breakdown``); then the
   saturated throughput of each, one after the other (``throughput``).
3. Concurrency: 1, 10, 50 and 100 simulated shoppers for a bounded time each, with every
   process's RSS sampled every 2 s throughout (``concurrency``).
4. The insight libraries' own benchmarks: every ``python -m insight bench <name>`` command.

``python -m tests.bench --help`` lists the knobs (``--minutes`` for longer runs per level,
``--latency-only`` for steps 1 and 2 alone).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.stack import Stack
from bot.stack_processes import StackConfig
from bot.tokens import CustomerTokens
from insight.customer_cards import CustomerCards
from insight.db.engine import make_engine, make_sessionmaker
from insight.results import update_results
from insight.settings import Settings, TokenKey
from tests.bench.breakdown import scrape, turn_breakdown
from tests.bench.concurrency import run_level
from tests.bench.measure import RssSampler, rss_mb
from tests.bench.reference_bot import reference_model
from tests.bench.throughput import BENCH_RATE, saturate_gateway, saturate_rasa, throughput_summary
from tests.bench.turn_latency import WARM_UP_TIMEOUT_S, run_latency
from tests.ports import free_port
from tests.stack_secrets import STACK_SECRETS

SIGNED_IN_CUSTOMERS = 50


def _stack_config(base: StackConfig, state: Path, model: Path) -> StackConfig:
    return replace(
        base,
        python=Path(sys.executable),
        rasa_model=model,
        tracker_url=f"sqlite:///{state / 'tracker.db'}",
        state_dir=state,
        host="127.0.0.1",
        gateway_port=free_port(),
        rasa_port=free_port(),
        action_port=free_port(),
        rasa_api_token=STACK_SECRETS.rasa_api_token,
        extra_env=STACK_SECRETS.env()
        | {"GATEWAY_RATE_PER_CONNECTION": BENCH_RATE, "GATEWAY_RATE_PER_IP": BENCH_RATE},
    )


def _token_source(settings: Settings) -> Callable[[], str | None]:
    """A fresh signed token for the next customer with orders, in turn (guests if none)."""
    engine = make_engine(settings.database_url)
    refs = [
        card.external_ref
        for card in CustomerCards(make_sessionmaker(engine)).with_orders(SIGNED_IN_CUSTOMERS)
    ]
    engine.dispose()
    if not refs:
        return lambda: None
    tokens = CustomerTokens([TokenKey(STACK_SECRETS.customer_token_secret)])
    cycle = itertools.cycle(refs)
    return lambda: tokens.issue(next(cycle))


def _insight_benches() -> dict[str, int]:
    """Run every ``python -m insight bench`` command; each records its own section."""
    from insight.cli import bench_app

    outcomes = {}
    for command in bench_app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        print(f"insight bench {name} …", flush=True)
        done = subprocess.run([sys.executable, "-m", "insight", "bench", name], check=False)
        outcomes[name] = done.returncode
    return outcomes


def _concurrency(
    full: Stack, levels: list[int], level_s: float, token: Callable[[], str | None]
) -> dict[str, Any]:
    pids = {name: full.pid(name) for name in full.names}
    rows = []
    with RssSampler(pids) as sampler:
        for users in levels:
            print(f"{users} concurrent shoppers for {level_s:.0f} s …", flush=True)
            level_started = time.monotonic()
            row = asyncio.run(run_level(full.config.gateway_url, users, level_s, token))
            row["rss_mb"] = sampler.since(level_started)
            rows.append(row)
    return {"concurrency": rows, "rss_over_time_mb": sampler.since(0.0)}


def _throughput(
    bare: Stack, full: Stack, token: Callable[[], str | None], clients: int, seconds: float
) -> dict[str, object]:
    print(f"saturating each with {clients} clients for {seconds:.0f} s …", flush=True)
    rasa = asyncio.run(saturate_rasa(bare.config.rasa_url, clients, seconds))
    shopsense = asyncio.run(saturate_gateway(full.config.gateway_url, token, clients, seconds))
    return throughput_summary(rasa, shopsense, clients)


def run(
    conversations: int,
    levels: list[int],
    level_s: float,
    insight: bool,
    saturation: tuple[int, float] = (8, 30.0),
) -> dict[str, Any]:
    settings = Settings.from_env()
    base = StackConfig.from_env(settings)
    state = settings.state_dir / "bench"
    token = _token_source(settings)
    results: dict[str, Any] = {}

    bare = Stack(
        _stack_config(base, state / "bare", reference_model(base.rasa_bin, settings.cache_dir))
    )
    full = Stack(_stack_config(base, state / "full", base.rasa_model))
    print("starting the bare Rasa reference assistant …", flush=True)
    bare.start(only=("rasa",))
    try:
        print("starting ShopSense (action server, Rasa, gateway) …", flush=True)
        started = time.monotonic()
        full.start()
        results["startup_s"] = round(time.monotonic() - started, 1)
        results["startup_detail_s"] = full.ready_after_s | {"bare_rasa": bare.ready_after_s["rasa"]}
        print("warming up (first FAQ and model loads) …", flush=True)
        asyncio.run(
            run_latency(
                bare.config.rasa_url, full.config.gateway_url, token, 2, timeout_s=WARM_UP_TIMEOUT_S
            )
        )
        results["rss_mb"] = {name: rss_mb(full.pid(name)) for name in full.names} | {
            "bare_rasa": rss_mb(bare.pid("rasa"))
        }
        print(f"timing {conversations} conversations on each …", flush=True)
        before = scrape(full.config.gateway_url)
        latency = asyncio.run(
            run_latency(bare.config.rasa_url, full.config.gateway_url, token, conversations)
        )
        after = scrape(full.config.gateway_url)
        results["turn_latency_ms"] = latency.summary()
        results["turn_breakdown_ms"] = turn_breakdown(
            before, after, latency.shopsense_ms, latency.bare_ms
        )
        results["throughput"] = _throughput(bare, full, token, *saturation)
    finally:
        bare.stop()
    try:
        if levels:
            results |= _concurrency(full, levels, level_s, token)
    finally:
        full.stop()
    for section, payload in results.items():
        update_results("bench", section, payload)
    if insight:
        results["insight_benches"] = _insight_benches()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument(
        "--conversations",
        type=int,
        default=30,
        help="conversations timed for turn latency (default 30)",
    )
    parser.add_argument(
        "--levels", default="1,10,50,100", help="concurrent shoppers per level, comma-separated"
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=45.0,
        help="how long each concurrency level runs (default 45)",
    )
    parser.add_argument(
        "--minutes",
        type=float,
        default=None,
        help="longer runs: minutes per concurrency level (overrides --seconds)",
    )
    parser.add_argument(
        "--saturation-clients",
        type=int,
        default=8,
        help="closed-loop clients for the saturated throughput (default 8)",
    )
    parser.add_argument(
        "--saturation-seconds",
        type=float,
        default=30.0,
        help="how long each side is saturated (default 30)",
    )
    parser.add_argument(
        "--no-insight", action="store_true", help="skip the insight libraries' own benchmarks"
    )
    parser.add_argument(
        "--latency-only",
        action="store_true",
        help="start-up, memory and turn latency only: no concurrency levels, no insight benchmarks",
    )
    args = parser.parse_args(argv)
    level_s = args.minutes * 60 if args.minutes is not None else args.seconds
    levels = [] if args.latency_only else [int(n) for n in args.levels.split(",") if n.strip()]
    results = run(
        args.conversations,
        levels,
        level_s,
        not (args.no_insight or args.latency_only),
        (args.saturation_clients, args.saturation_seconds),
    )
    latency = results["turn_latency_ms"]
    print(
        f"\nturn latency p50/p95 ms: bare {latency['bare_rasa']['p50']}/"
        f"{latency['bare_rasa']['p95']}, ShopSense {latency['shopsense']['p50']}/"
        f"{latency['shopsense']['p95']} (ratio {latency['ratio_p50']}/{latency['ratio_p95']}); "
        f"load average {latency['load_average_1m']}"
    )
    throughput = results["throughput"]
    print(
        f"saturated turns/s: bare {throughput['bare_rasa_turns_per_s']}, ShopSense "
        f"{throughput['shopsense_turns_per_s']} (ratio {throughput['ratio']}); "
        f"turn breakdown ms {results['turn_breakdown_ms']['mean_ms']}"
    )
    for row in results.get("concurrency", []):
        print(
            f"{row['users']:>4} shoppers: {row['turns_per_s']} turns/s, p50 {row['p50_ms']} ms, "
            f"p95 {row['p95_ms']} ms, {row['errors']} errors"
        )
    print(f"start-up {results['startup_s']} s; RSS MB {results['rss_mb']}")
    failed = [name for name, code in results.get("insight_benches", {}).items() if code]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
