"""Composition root: builds the insight services the actions use, once per process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from insight.db.engine import make_engine, make_sessionmaker
from insight.repositories import CustomerRepository, OrderRepository, ProductRepository
from insight.settings import Settings


@dataclass(frozen=True)
class Services:
    customers: CustomerRepository
    orders: OrderRepository
    products: ProductRepository


def build_services(settings: Settings) -> Services:
    sessions = make_sessionmaker(make_engine(settings.database_url))
    return Services(
        customers=CustomerRepository(sessions),
        orders=OrderRepository(sessions),
        products=ProductRepository(sessions),
    )


@cache
def services() -> Services:
    """The process-wide services, built from the environment on first use."""
    return build_services(Settings.from_env())
