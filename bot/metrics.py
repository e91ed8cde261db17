"""The gateway's Prometheus metrics: turns, where a turn's time goes, hand-overs, errors.

A turn is one shopper message the assistant answers. Its phases, timed by the switchboard:
``read`` (the shared encoder pass and the FAQ search, in a worker thread), ``store`` (the
shopper's message written and fanned out to the widget and desk), ``assistant`` (the Rasa round
trip, which includes Rasa's NLU and policies and every action server call) and ``replies``
(the replies stored and sent, hand-over included). ``make bench`` reads the sums and counts
before and after its timed turns for ``turn_breakdown_ms``.

Each gateway keeps its own registry, so tests and several apps in one process never share
counts. ``/metrics`` answers clients on the loopback interface, and others that send
``Authorization: Bearer <SHOPSENSE_METRICS_TOKEN>`` when that is set: counts of turns and
hand-overs are the shop's business figures, not the public's.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from ipaddress import ip_address
from typing import Literal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

Phase = Literal["read", "store", "assistant", "replies"]
PHASES: tuple[Phase, ...] = ("read", "store", "assistant", "replies")
# from 2.5 ms to 10 s: a phase of a turn, or a turn waiting on a slow action
LATENCY_BUCKETS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.turns = Counter(
            "shopsense_turns",
            "Shopper messages handled, by outcome (answered, held for an outage, to a person)",
            ["outcome"],
            registry=self.registry,
        )
        self.turn_seconds = Histogram(
            "shopsense_turn_seconds",
            "Time from a shopper message arriving to its replies sent",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.phase_seconds = Histogram(
            "shopsense_turn_phase_seconds",
            "Time spent in each phase of an answered turn",
            ["phase"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.handovers = Counter(
            "shopsense_handovers",
            "Conversations queued for a person, by who asked (assistant, emotion, shopper)",
            ["source"],
            registry=self.registry,
        )
        self.errors = Counter(
            "shopsense_errors",
            "Failures a shopper's turn survived, by kind",
            ["kind"],
            registry=self.registry,
        )
        self.held_messages = Gauge(
            "shopsense_held_messages",
            "Shopper messages waiting for the assistant or the database to come back",
            registry=self.registry,
        )
        self.queue_length = Gauge(
            "shopsense_queue_length",
            "Conversations waiting for a person",
            registry=self.registry,
        )

    @contextmanager
    def timed(self, phase: Phase) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phase_seconds.labels(phase).observe(time.perf_counter() - started)

    def watch(self, held: Callable[[], float], queued: Callable[[], float]) -> None:
        """Read the held-message count and the queue length when scraped."""
        self.held_messages.set_function(held)
        self.queue_length.set_function(queued)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def may_scrape(client_host: str | None, authorization: str | None, token: str | None) -> bool:
    """Whether a request may read ``/metrics``: from the loopback interface, or with the token."""
    if token and authorization is not None:
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode()):
            return True
    try:
        return client_host is not None and ip_address(client_host).is_loopback
    except ValueError:  # "testclient" and other names that are not addresses
        return False
