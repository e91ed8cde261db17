"""Profile build time and peak memory at 10k, 100k and 1M customers (``make bench``).

Each size runs in a fresh Python process on a synthetic shop (``insight.profiles.synthetic``,
about ten events per customer) and times the whole build after the data is in memory: fitting
the population models, assembling every profile, product insights, and writing all tables to a
new SQLite file. ``peak_mb`` is the process's peak resident memory (``ru_maxrss``), which
includes the in-memory shop itself and the interpreter. ``cpu_seconds`` (user + system time of
the build) is reported too: on a shared machine it is the steadier figure. Loading the frames
from a database is not timed (it depends on the database server, not on this code).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from insight.db.models import Base
from insight.profiles.build import build_from_frames, write_full_build
from insight.profiles.pipeline import ProfileConfig
from insight.profiles.sentiment import VaderBaseline
from insight.profiles.synthetic import SYNTHETIC_NOW, event_count, synthetic_shop

SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = SIZES[:2]


def bench_one(customers: int) -> dict[str, Any]:
    """Build profiles for a synthetic shop of ``customers`` in this process."""
    frames = synthetic_shop(customers)
    scorer = VaderBaseline()
    scorer.warm_up()
    with tempfile.TemporaryDirectory() as folder:
        # Foreign keys stay off here: the synthetic shop's customers live only in memory.
        engine = create_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        Base.metadata.create_all(engine)
        started = time.perf_counter()
        cpu_started = time.process_time()
        steps: dict[str, float] = {}

        def progress(step: str) -> None:
            steps[step] = round(time.perf_counter() - started, 2)

        build = build_from_frames(frames, SYNTHETIC_NOW, ProfileConfig(), scorer, progress)
        write_full_build(engine, build, scorer.name)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        engine.dispose()
    return {
        "customers": customers,
        "events": event_count(frames),
        "reviews": len(frames.reviews),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "steps_s": {**steps, "write tables": round(seconds, 2)},
        "segments": int(build.profiles["segment"].nunique()),
    }


def run_profiles_bench(sizes: Sequence[int] = SIZES) -> list[dict[str, Any]]:
    """Each size in its own process, so that every peak is that size's alone."""
    rows = []
    for size in sizes:
        finished = subprocess.run(
            [sys.executable, "-m", "insight.profiles.bench", str(size)],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(finished.stdout.strip().splitlines()[-1]))
    return rows


if __name__ == "__main__":
    print(json.dumps(bench_one(int(sys.argv[1]))))
