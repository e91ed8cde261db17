"""Reading precomputed profiles: one primary-key lookup per call (a few milliseconds)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import CustomerProfileRow
from insight.profiles.contracts import CustomerProfile


def profile_from_row(row: CustomerProfileRow) -> CustomerProfile:
    return CustomerProfile(
        customer_id=row.customer_id,
        segment=row.segment,
        churn_risk=row.churn_risk,
        predicted_value_12m=row.predicted_value_12m,
        expected_orders_12m=row.expected_orders_12m,
        top_categories=tuple(row.top_categories),
        top_brands=tuple(row.top_brands),
        price_band=row.price_band,
        sentiment=row.sentiment,
        review_count=row.review_count,
        top_topics=tuple(row.top_topics),
        last_order_number=row.last_order_number,
        last_order_at=row.last_order_at,
        recency_days=row.recency_days,
        frequency=row.frequency,
        monetary=row.monetary,
        avg_order_value=row.avg_order_value,
        tenure_days=row.tenure_days,
        views_per_order=row.views_per_order,
        return_rate=row.return_rate,
        days_since_contact=row.days_since_contact,
        as_of=row.as_of,
        vector=tuple(row.vector),
    )


class ProfileRepository:
    """``ProfileLookup`` over the ``customer_profiles`` table."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def get(self, customer_id: int) -> CustomerProfile | None:
        with self._sessions() as session:
            row = session.get(CustomerProfileRow, customer_id)
            return profile_from_row(row) if row else None

    def most_at_risk(self, limit: int = 10) -> list[CustomerProfile]:
        """Customers most likely to leave, valuable ones first among equal risk."""
        query = (
            select(CustomerProfileRow)
            .where(CustomerProfileRow.churn_risk.is_not(None))
            .order_by(
                CustomerProfileRow.churn_risk.desc(),
                CustomerProfileRow.monetary.desc(),
                CustomerProfileRow.customer_id,
            )
            .limit(limit)
        )
        with self._sessions() as session:
            return [profile_from_row(row) for row in session.scalars(query)]

    def count(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count(CustomerProfileRow.customer_id))) or 0
