"""Repositories: each takes a ``sessionmaker``, opens one session per call, returns dataclasses."""

from insight.repositories.customers import CustomerRepository
from insight.repositories.orders import OrderRepository
from insight.repositories.products import ProductRepository

__all__ = ["CustomerRepository", "OrderRepository", "ProductRepository"]
