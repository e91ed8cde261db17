from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import Customer
from insight.domain import CustomerSummary


def _summary(row: Customer) -> CustomerSummary:
    return CustomerSummary(
        id=row.id,
        external_ref=row.external_ref,
        name=row.name,
        email=row.email,
        country=row.country,
        created_at=row.created_at,
    )


class CustomerRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def get(self, customer_id: int) -> CustomerSummary | None:
        with self._sessions() as session:
            row = session.get(Customer, customer_id)
            return _summary(row) if row else None

    def by_email(self, email: str) -> CustomerSummary | None:
        with self._sessions() as session:
            row = session.scalar(
                select(Customer).where(func.lower(Customer.email) == email.strip().lower())
            )
            return _summary(row) if row else None

    def count(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count(Customer.id))) or 0
