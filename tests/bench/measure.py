"""Measuring helpers for the benchmarks: percentiles and each process's memory over time."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import psutil


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50 / p95 / p99 in milliseconds, with the sample count."""
    if len(samples_ms) < 2:
        only = round(samples_ms[0], 1) if samples_ms else 0.0
        return {"p50": only, "p95": only, "p99": only, "n": len(samples_ms)}
    cut = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {
        "p50": round(cut[49], 1),
        "p95": round(cut[94], 1),
        "p99": round(cut[98], 1),
        "n": len(samples_ms),
    }


def rss_mb(pid: int | None) -> float:
    """Resident memory of a process and all its children (Sanic runs workers as children)."""
    if pid is None:
        return 0.0
    try:
        process = psutil.Process(pid)
        total = process.memory_info().rss + sum(
            child.memory_info().rss for child in process.children(recursive=True)
        )
    except psutil.NoSuchProcess:
        return 0.0
    return round(float(total) / 2**20, 1)


@dataclass
class RssSampler:
    """Samples the RSS of named processes every ``every_s`` seconds on a background thread."""

    pids: Mapping[str, int | None]
    every_s: float = 2.0
    samples: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> RssSampler:
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every_s)

    def sample(self) -> None:
        now = time.monotonic()
        for name, pid in self.pids.items():
            self.samples.setdefault(name, []).append((now, rss_mb(pid)))

    def since(self, started: float) -> dict[str, dict[str, float]]:
        """Start, end and maximum RSS (MB) of each process from ``started`` on."""
        summary = {}
        for name, series in self.samples.items():
            values = [mb for at, mb in series if at >= started]
            if values:
                summary[name] = {
                    "start": values[0],
                    "end": values[-1],
                    "max": max(values),
                    "samples": len(values),
                }
        return summary
