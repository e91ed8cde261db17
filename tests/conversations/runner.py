"""Plays scenarios through the real gateway (the widget's socket.io protocol), Rasa and the action
server, and scores them against the shop's database.

An agent is signed in at the desk for the whole run, so a hand-over queues the conversation
with its reason, as it would in a staffed shop. After every turn the runner checks whether the
scenario's goal is met (for ``turns_to_resolution``); after the last it compares the whole shop
with how it was before the scenario: every change the scenario did not ask for is a wrong action.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import aiohttp
import httpx
import socketio
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.tokens import CustomerTokens
from insight.agents import AgentRepository
from insight.db.models import (
    Conversation,
    GuestVerificationAttempt,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Refund,
    Return,
    Voucher,
)
from insight.settings import TokenKey
from tests.conversations.scenarios import Scenario
from tests.conversations.shop import Persona, add_persona
from tests.factories import profile_row
from tests.widget_client import WidgetClient, loopback_ip

ShopState = dict[tuple[str, str], tuple[Any, ...]]
SHOWN_SENDERS = ("bot", "system", "agent")


@dataclass(frozen=True)
class Outcome:
    """One scenario played: what happened and how it scores."""

    id: str
    task: str
    goal: str
    resolved: bool
    handed_over: str | None  # the escalation reason, when a person was asked for
    handoff_correct: bool | None  # only for scenarios that must reach a person
    turns_to_goal: int | None
    wrong_actions: tuple[str, ...]
    problems: tuple[str, ...]
    transcript: tuple[tuple[str, str], ...] = field(repr=False)

    @property
    def passed(self) -> bool:
        good = self.resolved if self.goal == "resolve" else bool(self.handoff_correct)
        return good and not self.wrong_actions


def shop_state(sessions: sessionmaker[Session]) -> ShopState:
    """Every order's status and delivery address, every return, refund and voucher."""
    state: ShopState = {}
    with sessions() as session:
        for number, status, street, city, postcode in session.execute(
            select(
                Order.number, Order.status, Order.ship_street, Order.ship_city, Order.ship_postcode
            )
        ):
            state[("order", number)] = (str(status), street, city, postcode)
        for row in session.execute(
            select(Return.id, Order.number, Product.name, Return.refund_method, Return.reason)
            .join(Order, Order.id == Return.order_id)
            .join(OrderLine, OrderLine.id == Return.order_line_id)
            .join(Product, Product.id == OrderLine.product_id)
        ):
            state[("return", str(row[0]))] = tuple(row[1:])
        for refund_id, number, amount, refund_status in session.execute(
            select(Refund.id, Order.number, Refund.amount, Refund.status).join(
                Order, Order.id == Refund.order_id
            )
        ):
            state[("refund", str(refund_id))] = (number, Decimal(amount), str(refund_status))
        for code, customer_id, reason, used in session.execute(
            select(Voucher.code, Voucher.customer_id, Voucher.reason, Voucher.times_used)
        ):
            state[("voucher", code)] = (customer_id, reason, used)
    return state


def judge_changes(
    scenario: Scenario, persona: Persona, before: ShopState, after: ShopState
) -> tuple[set[str], list[str]]:
    """The expected changes that happened (``cancelled``, ``address``, ``returned``,
    ``retention_offer``) and every other change, described: the wrong actions."""
    expect, done, wrong = scenario.expect, set[str](), []
    cancel = persona.orders[expect.cancelled] if expect.cancelled else None
    address = expect.address
    returned = expect.returned
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        kind, ident = key
        if kind == "order" and old is not None and new is not None:
            if ident == cancel and new[0] == OrderStatus.CANCELLED and new[1:] == old[1:]:
                done.add("cancelled")
                continue
            if (
                address is not None
                and ident == persona.orders[address["order"]]
                and new == (old[0], address["street"], address["city"], address["postcode"])
            ):
                done.add("address")
                continue
        if kind == "refund" and old is None and new is not None and new[0] == cancel:
            continue  # cancelling a paid order refunds it
        if kind == "return" and old is None and new is not None and returned is not None:
            number, item, method = new[0], new[1], new[2]
            if (number, item, method) == (
                persona.orders[returned["order"]],
                returned["item"],
                returned["refund_method"],
            ) and "returned" not in done:
                done.add("returned")
                continue
        if (
            kind == "voucher"
            and old is None
            and new == (persona.customer_id, "retention", 0)
            and expect.retention_offer
            and "retention_offer" not in done
        ):
            done.add("retention_offer")
            continue
        wrong.append(f"{kind} {ident}: {old} → {new}")
    return done, wrong


def _handoff_matches(expected: str, conversation: Conversation) -> bool:
    reason, source = conversation.escalation_reason or "", conversation.escalation_source or ""
    if expected == "any":
        return True
    if expected == "upset":
        return source == "emotion" or reason == "upset"
    if expected == "shopper_asked" and source == "shopper":
        return True
    return reason == expected


class Desk:
    """An agent signed in at the desk (HTTP login, then the ``/desk`` socket) for the run."""

    def __init__(self, gateway_url: str, username: str, password: str) -> None:
        self._url, self._username, self._password = gateway_url, username, password
        self._client: socketio.AsyncClient | None = None

    async def open(self) -> None:
        login = httpx.post(
            f"{self._url}/api/desk/login",
            json={"username": self._username, "password": self._password},
            timeout=30,
        )
        login.raise_for_status()
        cookie = "; ".join(f"{name}={value}" for name, value in login.cookies.items())
        self._client = socketio.AsyncClient(reconnection=False)
        await self._client.connect(
            self._url, headers={"Cookie": cookie}, namespaces=["/desk"], transports=["websocket"]
        )

    async def close(self) -> None:
        if self._client is not None and self._client.connected:
            await self._client.disconnect()


@dataclass
class Bench:
    """What a run needs: the gateway, the shop's database and a way to sign customers in."""

    gateway_url: str
    sessions: sessionmaker[Session]
    new_persona: Callable[[], Persona]
    token_for: Callable[[Persona], str]
    first_ip: int = 20_000
    timeout_s: float = 90.0

    async def play(self, scenario: Scenario, number: int) -> Outcome:
        persona = self.new_persona()
        if scenario.at_risk:
            with self.sessions.begin() as db:
                db.add(profile_row(persona.customer_id, churn_risk=0.9, spent=1800.0))
        self._forget_verification_tries()
        played = _Played(
            script=scenario.filled(persona),
            persona=persona,
            before=shop_state(self.sessions),
            widget=WidgetClient(
                self.gateway_url,
                source_ip=loopback_ip(self.first_ip + number),
                timeout_s=self.timeout_s,
            ),
        )
        try:
            await played.widget.connect()
            token = self.token_for(persona) if played.script.who == "signed_in" else None
            session = await played.widget.hello(token)
            played.conversation_id = str(session.get("conversation_id", ""))
            for turn, text in enumerate(played.script.turns, start=1):
                ack = await played.widget.say(text)
                if not ack.get("ok", True):
                    played.problems.append(f"turn {turn} refused: {ack.get('error')}")
                if played.turns_to_goal is None and self._goal_met(played):
                    played.turns_to_goal = turn
        except (
            OSError,
            TimeoutError,
            aiohttp.ClientError,
            socketio.exceptions.SocketIOError,
        ) as error:
            played.problems.append(f"the conversation broke off: {error!r}")
        finally:
            await played.widget.close()
        return self._score(played)

    def _forget_verification_tries(self) -> None:
        """Every scenario is another shopper, as if hours apart: several scenarios guess the same
        stranger's order, and the cap across conversations (``insight.support.verification``)
        would otherwise make one scenario's reply depend on the ones played before it."""
        with self.sessions.begin() as session:
            session.execute(delete(GuestVerificationAttempt))

    def _conversation(self, conversation_id: str) -> Conversation | None:
        with self.sessions() as session:
            return session.get(Conversation, conversation_id) if conversation_id else None

    def _goal_met(self, played: _Played) -> bool:
        script = played.script
        said = played.said()
        if not all(text.lower() in said for text in script.expect.told):
            return False
        if script.expect.handoff:
            conversation = self._conversation(played.conversation_id)
            return conversation is not None and conversation.escalation_reason is not None
        if script.expect.changes_the_shop:
            after = shop_state(self.sessions)
            done, _ = judge_changes(script, played.persona, played.before, after)
            return done == _wanted(script)
        return True

    def _score(self, played: _Played) -> Outcome:
        script, said, problems = played.script, played.said(), played.problems
        expect = script.expect
        problems += [f"never said {text!r}" for text in expect.told if text.lower() not in said]
        problems += [f"said {text!r}" for text in expect.not_told if text.lower() in said]
        after = shop_state(self.sessions)
        done, wrong = judge_changes(script, played.persona, played.before, after)
        problems += [f"not {change}" for change in sorted(_wanted(script) - done)]
        conversation = self._conversation(played.conversation_id)
        escalated = conversation is not None and conversation.escalation_reason is not None
        handed_over = (
            f"{conversation.escalation_source}: {conversation.escalation_reason}"
            if conversation is not None and escalated
            else None
        )
        handoff_correct: bool | None = None
        if expect.handoff:
            handoff_correct = (
                conversation is not None
                and escalated
                and _handoff_matches(expect.handoff, conversation)
            )
            if not handoff_correct:
                problems.append(f"not handed over for {expect.handoff} (got {handed_over})")
        elif handed_over:
            problems.append(f"handed over ({handed_over})")
        resolved = script.goal == "resolve" and not problems and not wrong
        received = played.widget.received
        return Outcome(
            id=script.id,
            task=script.task,
            goal=script.goal,
            resolved=resolved,
            handed_over=handed_over,
            handoff_correct=handoff_correct,
            turns_to_goal=played.turns_to_goal if (resolved or handoff_correct) else None,
            wrong_actions=tuple(wrong),
            problems=tuple(problems),
            transcript=tuple((str(m.get("sender")), str(m.get("text", ""))) for m in received),
        )


@dataclass
class _Played:
    """One scenario in progress: the filled script, the shop before it, the widget's traffic."""

    script: Scenario
    persona: Persona
    before: ShopState
    widget: WidgetClient
    conversation_id: str = ""
    turns_to_goal: int | None = None
    problems: list[str] = field(default_factory=list)

    def said(self) -> str:
        """Everything ShopSense said in the conversation, lower-cased."""
        return " | ".join(
            str(m.get("text", "")) for m in self.widget.received if m.get("sender") in SHOWN_SENDERS
        ).lower()


def _wanted(script: Scenario) -> set[str]:
    expect = script.expect
    names = {
        "cancelled": expect.cancelled,
        "address": expect.address,
        "returned": expect.returned,
        "retention_offer": expect.retention_offer,
    }
    return {name for name, value in names.items() if value}


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The figures ``eval-results/latest.json`` records under ``conversations``."""
    resolvable = [o for o in outcomes if o.goal == "resolve"]
    handoffs = [o for o in outcomes if o.goal == "handoff"]
    turns = [o.turns_to_goal for o in outcomes if o.turns_to_goal is not None]
    by_task: dict[str, dict[str, Any]] = {}
    for task, count in sorted(Counter(o.task for o in outcomes).items()):
        mine = [o for o in outcomes if o.task == task]
        by_task[task] = {"n": count, "passed_rate": _rate(sum(o.passed for o in mine), count)}
        mine_resolvable = [o for o in mine if o.goal == "resolve"]
        if mine_resolvable:
            by_task[task]["resolved_rate"] = _rate(
                sum(o.resolved for o in mine_resolvable), len(mine_resolvable)
            )
    return {
        "n": len(outcomes),
        "resolvable": len(resolvable),
        "resolved_rate": _rate(sum(o.resolved for o in resolvable), len(resolvable)),
        "handoff_scenarios": len(handoffs),
        "handoff_correct_rate": _rate(
            sum(bool(o.handoff_correct) for o in handoffs), len(handoffs)
        ),
        "wrong_actions": sum(len(o.wrong_actions) for o in outcomes),
        "median_turns": statistics.median(turns) if turns else None,
        "by_task": by_task,
        "failures": [_failure(o) for o in outcomes if not o.passed],
    }


def _failure(outcome: Outcome) -> Mapping[str, Any]:
    record = asdict(outcome)
    record["transcript"] = [f"{who}: {text}" for who, text in outcome.transcript]
    return record


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


async def play_all(
    bench: Bench, scenarios: Sequence[Scenario], desk: Desk, log: Callable[[str], None] = print
) -> list[Outcome]:
    """Play ``scenarios`` one after another with ``desk``'s agent signed in throughout."""
    await desk.open()
    outcomes = []
    try:
        for number, scenario in enumerate(scenarios):
            outcome = await bench.play(scenario, number)
            outcomes.append(outcome)
            verdict = (
                "ok"
                if outcome.passed
                else "FAIL " + "; ".join([*outcome.wrong_actions, *outcome.problems])
            )
            log(f"[{number + 1}/{len(scenarios)}] {scenario.id}: {verdict}")
    finally:
        await desk.close()
    return outcomes


BENCH_AGENT = ("bench-agent", "Bench Agent", "bench-agent-password")


def make_bench(
    gateway_url: str, sessions: sessionmaker[Session], token_secret: str, first_serial: int = 1
) -> tuple[Bench, Desk]:
    """A bench over this shop: personas numbered from ``first_serial``, tokens signed with the
    stack's customer-token secret, and the benchmark's agent (created when missing)."""
    AgentRepository(sessions).ensure(*BENCH_AGENT)
    serials = itertools.count(first_serial)
    tokens = CustomerTokens([TokenKey(token_secret)])
    bench = Bench(
        gateway_url=gateway_url,
        sessions=sessions,
        new_persona=lambda: add_persona(sessions, next(serials)),
        token_for=lambda persona: tokens.issue(persona.ref),
    )
    return bench, Desk(gateway_url, BENCH_AGENT[0], BENCH_AGENT[2])
