"""Query results as pandas frames, for the vectorised builds (profiles, recommendations)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Select

AnySelect = Select[*tuple[Any, ...]]


def read_frame(engine: Engine, query: AnySelect, datetimes: Sequence[str] = ()) -> pd.DataFrame:
    """The rows of ``query`` with its column names; ``datetimes`` become ``datetime64[ns]``
    (drivers return them as objects or strings, and an empty result has no dtype at all)."""
    with engine.connect() as connection:
        result = connection.execute(query)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    for column in datetimes:
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame
