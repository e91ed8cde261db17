"""``make eval`` → ``conversations``: every scenario through a freshly started stack.

The stack runs over a new SQLite shop (``tests.factories``' support shop, its clock at the
factories' ``TODAY``) with fresh secrets; each scenario gets a customer of its own
(``tests.conversations.shop``). Figures go to ``eval-results/latest.json`` under
``conversations``, failures with their transcripts included. ``--only`` and ``--limit`` pick a
subset while working on one task; a subset run does not record its figures.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from bot.stack import Stack
from bot.stack_processes import StackConfig
from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import upgrade
from insight.results import update_results
from insight.settings import Settings
from tests.conversations.runner import make_bench, play_all, summarise
from tests.conversations.scenarios import load_scenarios
from tests.factories import build_support_shop
from tests.stack_secrets import STACK_SECRETS, shop_stack_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.conversations", description=__doc__)
    parser.add_argument("--only", default="", help="play only scenarios whose id starts with this")
    parser.add_argument("--limit", type=int, default=0, help="play at most this many scenarios")
    args = parser.parse_args(argv)
    scenarios = [s for s in load_scenarios() if s.id.startswith(args.only)]
    if args.limit:
        scenarios = scenarios[: args.limit]
    subset = bool(args.only or args.limit)
    base = StackConfig.from_env(Settings.from_env())
    with tempfile.TemporaryDirectory(prefix="shopsense-conversations-") as folder:
        state = Path(folder)
        database_url = f"sqlite:///{state / 'shop.db'}"
        engine = make_engine(database_url)
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        build_support_shop(sessions)
        stack = Stack(shop_stack_config(base.rasa_bin, base.rasa_model, database_url, state))
        print(f"starting the stack for {len(scenarios)} scenarios …", flush=True)
        stack.start()
        try:
            bench, desk = make_bench(
                stack.config.gateway_url, sessions, STACK_SECRETS.customer_token_secret
            )
            outcomes = asyncio.run(play_all(bench, scenarios, desk))
        finally:
            stack.stop()
            engine.dispose()
    summary = summarise(outcomes)
    if not subset:
        update_results("eval", "conversations", summary)
    print(
        f"\n{summary['n']} scenarios: resolved {summary['resolved_rate']} of "
        f"{summary['resolvable']} resolvable, hand-over correct {summary['handoff_correct_rate']} "
        f"of {summary['handoff_scenarios']}, wrong actions {summary['wrong_actions']}, "
        f"median turns {summary['median_turns']}"
    )
    for task, row in summary["by_task"].items():
        print(f"  {task:<16} n={row['n']:<4} passed {row['passed_rate']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
