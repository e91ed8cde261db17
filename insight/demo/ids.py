"""Primary keys handed out by the generator, so that foreign keys are known before inserting."""

from __future__ import annotations

import numpy as np


class IdSequence:
    """Consecutive ids per table, continuing from one batch of customers to the next."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, table: str, count: int) -> np.ndarray:
        start = self._next.get(table, 1)
        self._next[table] = start + count
        return np.arange(start, start + count, dtype=np.int64)
