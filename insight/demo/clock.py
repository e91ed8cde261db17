"""The demo shop's fixed clock, so that every seed produces the same dates and statuses.

The packaged orders end on 23 September 2024; the demo shop lives on the next morning. Order
statuses (still being packed, in transit, delivered, returned …) are what they would be at
:data:`DEMO_NOW`. Code that shows the demo shop relative to "today" should use these constants
rather than the wall clock.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

DEMO_TODAY = date(2024, 9, 24)
DEMO_NOW = datetime(2024, 9, 24, 10, 0)

MINUTE = np.timedelta64(60, "s")
HOUR = np.timedelta64(3600, "s")
DAY = np.timedelta64(86_400, "s")


def durations(
    low: np.timedelta64, high: np.timedelta64, count: int, rng: np.random.Generator
) -> np.ndarray:
    """``count`` random whole-second durations in [low, high)."""
    second = np.timedelta64(1, "s")
    return rng.integers(int(low // second), int(high // second), count).astype("timedelta64[s]")


def now64() -> np.datetime64:
    """:data:`DEMO_NOW` as a numpy timestamp."""
    return np.datetime64(DEMO_NOW, "us")
