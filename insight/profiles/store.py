"""Writing profiles and insights to the database, and reading the stored models back.

A full build replaces every insight table in one transaction; a refresh replaces one
customer's rows (delete + insert, which behaves the same on SQLite and PostgreSQL).
Rows are written in chunks so that a million profiles never sit in memory as Python objects.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, Engine, Table, delete, func, insert, select

from insight.db.models import (
    BrandInsightRow,
    CustomerProfileRow,
    CustomerSegmentRow,
    ProductInsightRow,
    ProfileModelRow,
    ReviewInsightRow,
    ReviewTopicRow,
)
from insight.profiles.pipeline import MODELS_FORMAT, FullBuild, PopulationModels

FloatArray = npt.NDArray[np.float64]
CHUNK_ROWS = 20_000
VECTOR_DECIMALS = 6
_TABLE: Table = CustomerProfileRow.__table__  # type: ignore[assignment]
PROFILE_COLUMNS = [c.name for c in _TABLE.columns if c.name not in ("vector", "built_at")]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Plain Python values: NaN/NaT → None, numpy scalars → Python, tuples → lists."""
    out = frame.astype(object).where(frame.notna(), None)
    records: list[dict[str, Any]] = [
        {str(key): value for key, value in row.items()} for row in out.to_dict("records")
    ]
    for record in records:
        for key, value in record.items():
            if isinstance(value, tuple):
                record[key] = list(value)
            elif isinstance(value, pd.Timestamp):
                record[key] = value.to_pydatetime(warn=False)
            elif isinstance(value, np.generic):
                record[key] = value.item()
    return records


def profile_chunks(
    profiles: pd.DataFrame, vectors: FloatArray, built_at: datetime
) -> Iterator[list[dict[str, Any]]]:
    frame = profiles.reset_index()[PROFILE_COLUMNS]
    for start in range(0, len(frame), CHUNK_ROWS):
        records = _records(frame.iloc[start : start + CHUNK_ROWS])
        rounded = vectors[start : start + CHUNK_ROWS].round(VECTOR_DECIMALS).tolist()
        for record, vector in zip(records, rounded, strict=True):
            record["vector"] = vector
            record["built_at"] = built_at
        yield records


def _insert(connection: Connection, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(table), list(rows))


def write_profiles(
    connection: Connection, profiles: pd.DataFrame, vectors: FloatArray, built_at: datetime
) -> None:
    for chunk in profile_chunks(profiles, vectors, built_at):
        _insert(connection, CustomerProfileRow, chunk)


def write_review_insights(connection: Connection, reviews: pd.DataFrame, scorer: str) -> None:
    frame = reviews[["review_id", "polarity", "topic_id"]].assign(scorer=scorer)
    frame["topic_id"] = frame["topic_id"].where(frame["topic_id"] >= 0)
    for start in range(0, len(frame), CHUNK_ROWS):
        _insert(connection, ReviewInsightRow, _records(frame.iloc[start : start + CHUNK_ROWS]))


def write_product_insights(
    connection: Connection, per_product: pd.DataFrame, per_brand: pd.DataFrame
) -> None:
    _insert(connection, ProductInsightRow, _records(per_product.reset_index()))
    _insert(connection, BrandInsightRow, _records(per_brand.reset_index()))


def replace_all(engine: Engine, build: FullBuild, scorer: str) -> datetime:
    """Replace every insight table with a full build's results, in one transaction."""
    models = build.models
    built_at = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        for table in (
            CustomerProfileRow,
            CustomerSegmentRow,
            ReviewInsightRow,
            ProductInsightRow,
            BrandInsightRow,
            ReviewTopicRow,
            ProfileModelRow,
        ):
            connection.execute(delete(table))
        write_profiles(connection, build.profiles, build.vectors, built_at)
        write_review_insights(connection, build.reviews, scorer)
        write_product_insights(connection, build.per_product, build.per_brand)
        _insert(
            connection,
            ReviewTopicRow,
            [{"id": i, "label": label} for i, label in enumerate(models.topic_labels)],
        )
        _insert(connection, CustomerSegmentRow, segment_rows(build.profiles))
        _insert(
            connection,
            ProfileModelRow,
            [
                {
                    "as_of": models.as_of.to_pydatetime(),
                    "built_at": built_at,
                    "scorer": scorer,
                    "payload": pickle.dumps(models, protocol=pickle.HIGHEST_PROTOCOL),
                }
            ],
        )
    return built_at


SEGMENT_DESCRIPTORS = (
    "recency_days",
    "frequency",
    "monetary",
    "tenure_days",
    "churn_risk",
    "predicted_value_12m",
    "sentiment",
    "return_rate",
)


def segment_rows(profiles: pd.DataFrame) -> list[dict[str, Any]]:
    """Each segment's size and its members' median descriptors (the readable centroid)."""
    groups = profiles.groupby(["segment_id", "segment"])
    medians = groups[list(SEGMENT_DESCRIPTORS)].median()
    sizes = groups.size()
    rows = []
    for segment_id, name, size in zip(
        sizes.index.get_level_values(0), sizes.index.get_level_values(1), sizes, strict=True
    ):
        centroid = {
            str(key): round(float(value), 4)
            for key, value in medians.loc[(segment_id, name)].items()
            if pd.notna(value)
        }
        rows.append(
            {"id": int(segment_id), "name": str(name), "size": int(size), "centroid": centroid}
        )
    return rows


def replace_customer(
    engine: Engine,
    customer_id: int,
    *,
    profiles: pd.DataFrame,
    vectors: FloatArray,
    reviews: pd.DataFrame,
    scorer: str,
) -> None:
    """Replace one customer's profile and their reviews' insights."""
    built_at = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(
            delete(CustomerProfileRow).where(CustomerProfileRow.customer_id == customer_id)
        )
        ids = [int(i) for i in reviews["review_id"]]
        if ids:
            connection.execute(delete(ReviewInsightRow).where(ReviewInsightRow.review_id.in_(ids)))
        write_profiles(connection, profiles, vectors, built_at)
        write_review_insights(connection, reviews, scorer)


def replace_product_insights(
    engine: Engine, per_product: pd.DataFrame, per_brand: pd.DataFrame
) -> None:
    with engine.begin() as connection:
        products = [int(i) for i in per_product.index]
        brands = [str(b) for b in per_brand.index]
        connection.execute(
            delete(ProductInsightRow).where(ProductInsightRow.product_id.in_(products))
        )
        connection.execute(delete(BrandInsightRow).where(BrandInsightRow.brand.in_(brands)))
        write_product_insights(connection, per_product, per_brand)


class NotBuiltError(RuntimeError):
    """Raised by a refresh before the first full build, or after one by an older version."""


def latest_build_id(engine: Engine) -> int | None:
    """The id of the last full build's stored models (a cheap check whether they changed)."""
    with engine.connect() as connection:
        return connection.scalar(select(func.max(ProfileModelRow.id)))


def load_models(engine: Engine) -> tuple[PopulationModels, str]:
    """The last full build's models and scorer name.

    The payload is a pickle this library wrote into the shop's own database. Raises
    ``NotBuiltError`` before the first build and for models pickled by an older version.
    """
    with engine.connect() as connection:
        row = connection.execute(
            select(ProfileModelRow.payload, ProfileModelRow.scorer)
            .order_by(ProfileModelRow.id.desc())
            .limit(1)
        ).first()
    if row is None:
        raise NotBuiltError("no profile build yet; run `python -m insight build profiles`")
    models: PopulationModels = pickle.loads(row.payload)  # written by build_profiles
    if getattr(models, "format_version", None) != MODELS_FORMAT:
        raise NotBuiltError(
            "the profiles were built by an older version; run `python -m insight build profiles`"
        )
    return models, str(row.scorer)


def built_with(engine: Engine) -> str | None:
    """The review scorer of the last full build, ``None`` when there is no current build."""
    try:
        return load_models(engine)[1]
    except NotBuiltError:
        return None


def stored_polarity(engine: Engine, review_ids: Sequence[int], scorer: str) -> pd.Series:
    """Polarity the named scorer gave these reviews at the last build or refresh (index
    review_id); reviews it has not scored are missing."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(ReviewInsightRow.review_id, ReviewInsightRow.polarity).where(
                ReviewInsightRow.review_id.in_([int(i) for i in review_ids]),
                ReviewInsightRow.scorer == scorer,
            )
        ).all()
    return pd.Series(
        [float(polarity) for _, polarity in rows],
        index=pd.Index([int(review_id) for review_id, _ in rows], name="review_id"),
        dtype=np.float64,
    )
