"""A 30-scenario share of the conversation benchmark (``python -m tests.conversations`` plays
them all in ``make eval``) through the live stack: the real gateway, Rasa and action server."""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict

import pytest

from bot.stack import Stack
from insight.db.engine import make_engine, make_sessionmaker
from tests.conversations.runner import make_bench, play_all, summarise
from tests.conversations.scenarios import Scenario, load_scenarios
from tests.factories import SupportShopFixture
from tests.stack_secrets import STACK_SECRETS

pytestmark = [pytest.mark.live, pytest.mark.slow]

SUBSET = 30
# Regression floors, below this share's figures when they were set (resolved 20 of 26, hand-over
# 3 of 4, on 2026-12-07); issue 12's goals (0.85 resolved, 0.95 hand-over) are not met yet and
# are what `make eval` reports against. A wrong action is never acceptable.
RESOLVED_FLOOR = 0.65
HANDOFF_FLOOR = 0.5


def every_task_in_turn(scenarios: list[Scenario], size: int) -> list[Scenario]:
    """The first scenarios of each task, taken one task after another, ``size`` in all."""
    by_task: dict[str, list[Scenario]] = defaultdict(list)
    for scenario in scenarios:
        by_task[scenario.task].append(scenario)
    mixed = (s for group in itertools.zip_longest(*by_task.values()) for s in group if s)
    return list(itertools.islice(mixed, size))


def test_a_share_of_the_benchmark_resolves_hands_over_and_never_acts_wrongly(
    live_stack: Stack, live_shop_url: tuple[str, SupportShopFixture]
) -> None:
    scenarios = every_task_in_turn(load_scenarios(), SUBSET)
    engine = make_engine(live_shop_url[0])
    try:
        bench, desk = make_bench(
            live_stack.config.gateway_url,
            make_sessionmaker(engine),
            STACK_SECRETS.customer_token_secret,
        )
        outcomes = asyncio.run(play_all(bench, scenarios, desk))
    finally:
        engine.dispose()
    summary = summarise(outcomes)
    failures = {f["id"]: [*f["wrong_actions"], *f["problems"]] for f in summary["failures"]}

    assert len(outcomes) == SUBSET and len({s.task for s in scenarios}) >= 7
    assert summary["wrong_actions"] == 0, failures
    assert summary["handoff_correct_rate"] >= HANDOFF_FLOOR, failures
    assert summary["resolved_rate"] >= RESOLVED_FLOOR, failures
