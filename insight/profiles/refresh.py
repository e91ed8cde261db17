"""Keeping profiles fresh between full builds without slowing the assistant down.

Two event paths lead to ``refresh_customer``:

- The assistant's order operations (cancellation, return, delivery-address change; each one
  happens in a conversation, which is a contact too). ``BackgroundRefresh.changed`` runs after
  the operation's transaction committed and only records the customer id (a set insert); one
  worker thread refreshes the recorded customers a moment later, a customer changed twice in
  the meantime once.
- CSV imports of orders and reviews (``refresh_after_import``). Once the import committed, its
  customers are refreshed one by one, or the whole build is redone where that is cheaper
  (``rebuild_is_cheaper``): a refresh costs about ``REFRESH_SECONDS``, a full build about
  ``REBUILD_SECONDS`` plus ``REBUILD_SECONDS_PER_CUSTOMER`` per customer (both measured on
  the demo shop and the synthetic benchmark shops on the 2-core development machine). A
  rebuild also refits segments, topics and the churn/value model, which a bulk import calls for.

Neither path fails when no full build exists yet, or only one by an older version: they say so
and leave the profiles to the next full build. The worker keeps its queue in memory; a crash
loses it, and the next full (nightly) build covers what was lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine, func, select

from insight.db.models import CustomerProfileRow
from insight.profiles.build import build_profiles, refresh_customer
from insight.profiles.pipeline import PopulationModels
from insight.profiles.sentiment import PolarityScorer, build_scorer, scorer_named
from insight.profiles.store import NotBuiltError, latest_build_id, load_models

log = logging.getLogger(__name__)

REFRESH_SECONDS = 0.2
REBUILD_SECONDS = 18.0
REBUILD_SECONDS_PER_CUSTOMER = 0.00031


def rebuild_is_cheaper(changed: int, customers: int) -> bool:
    """Whether refreshing ``changed`` of ``customers`` profiles one by one would take longer
    than a full build (about 110 changed customers of the demo shop's 12,000, 1,600 of 1M)."""
    return changed * REFRESH_SECONDS > REBUILD_SECONDS + REBUILD_SECONDS_PER_CUSTOMER * customers


class ProfileRefresher:
    """Refreshes profiles with the last full build's models and scorer, loaded once per build.

    ``cache_dir`` is where the emotion model that scored the build's reviews lives.
    """

    def __init__(self, engine: Engine, cache_dir: Path) -> None:
        self.engine = engine
        self.cache_dir = cache_dir
        self._loaded: tuple[int, tuple[PopulationModels, str], PolarityScorer] | None = None

    def current(self) -> tuple[tuple[PopulationModels, str], PolarityScorer]:
        """The last full build's models and scorer name, and that scorer; raises
        ``NotBuiltError`` when there is no usable full build."""
        build_id = latest_build_id(self.engine)
        if build_id is None:
            raise NotBuiltError("no profile build yet; run `python -m insight build profiles`")
        if self._loaded is None or self._loaded[0] != build_id:
            built = load_models(self.engine)
            try:
                scorer = scorer_named(built[1], self.cache_dir)
            except FileNotFoundError as error:
                raise NotBuiltError(f"{error}; run `python -m insight build profiles`") from error
            self._loaded = (build_id, built, scorer)
        return self._loaded[1], self._loaded[2]

    def refresh(self, customer_id: int, as_of: datetime | None = None) -> None:
        """Raises ``NotBuiltError`` when there is no usable full build."""
        built, scorer = self.current()
        refresh_customer(self.engine, customer_id, as_of=as_of, scorer=scorer, built=built)


class BackgroundRefresh:
    """``ProfileChanges`` for the assistant: records customers, refreshes them on one thread.

    ``refresh`` is ``ProfileRefresher.refresh`` in production; ``delay_s`` lets a burst of
    changes arrive before the worker starts on them.
    """

    def __init__(self, refresh: Callable[[int], object], delay_s: float = 1.0) -> None:
        self.refresh = refresh
        self.delay_s = delay_s
        self._state = threading.Condition()
        self._pending: set[int] = set()
        self._busy = False
        self._worker: threading.Thread | None = None

    def changed(self, customer_id: int) -> None:
        with self._state:
            self._pending.add(customer_id)
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._run, name="profile-refresh", daemon=True
                )
                self._worker.start()
            self._state.notify_all()

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until nothing is pending or being refreshed (tests, an orderly shutdown)."""
        deadline = time.monotonic() + timeout_s
        with self._state:
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._state.wait(left)
        return True

    def _run(self) -> None:
        while True:
            with self._state:
                while not self._pending:
                    self._state.wait()
                self._busy = True
            time.sleep(self.delay_s)
            with self._state:
                batch, self._pending = sorted(self._pending), set()
            self._refresh_all(batch)
            with self._state:
                self._busy = False
                self._state.notify_all()

    def _refresh_all(self, customer_ids: Iterable[int]) -> None:
        for customer_id in customer_ids:
            try:
                self.refresh(customer_id)
            except NotBuiltError as error:
                log.info("profiles not refreshed: %s", error)
                return
            except Exception:  # the worker outlives any one customer's failure
                log.exception("refreshing the profile of customer %s failed", customer_id)


@dataclass(frozen=True)
class ImportRefresh:
    """What an import did to the profiles, and a line saying so."""

    action: Literal["nothing", "not built", "refreshed", "rebuilt"]
    customers: int
    message: str


def refresh_after_import(
    engine: Engine, customer_ids: Collection[int], cache_dir: Path
) -> ImportRefresh:
    """Bring the profiles of an import's customers up to date (call after it committed)."""
    if not customer_ids:
        return ImportRefresh("nothing", 0, "no customer's profile changed")
    refresher = ProfileRefresher(engine, cache_dir)
    try:
        (models, _), _ = refresher.current()
    except NotBuiltError as error:
        return ImportRefresh("not built", 0, f"profiles not refreshed: {error}")
    with engine.connect() as connection:
        profiled = connection.scalar(select(func.count(CustomerProfileRow.customer_id))) or 0
    if rebuild_is_cheaper(len(customer_ids), profiled):
        summary = build_profiles(engine, models.config, scorer=build_scorer(cache_dir))
        return ImportRefresh(
            "rebuilt",
            summary.customers,
            f"{len(customer_ids):,} customers changed: rebuilt all {summary.customers:,} profiles",
        )
    for customer_id in sorted(customer_ids):
        refresher.refresh(customer_id)
    return ImportRefresh(
        "refreshed", len(customer_ids), f"refreshed {len(customer_ids):,} customers' profiles"
    )
