from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import Product
from insight.domain import CategorySummary, ProductInfo


def product_info(row: Product) -> ProductInfo:
    return ProductInfo(
        id=row.id,
        sku=row.sku,
        name=row.name,
        category=row.category,
        brand=row.brand,
        price=row.price,
        stock=row.stock,
        description=row.description,
    )


class ProductRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def get(self, product_id: int) -> ProductInfo | None:
        with self._sessions() as session:
            row = session.get(Product, product_id)
            return product_info(row) if row else None

    def categories(self) -> list[CategorySummary]:
        """Categories with how many products each has and their price range, largest first."""
        query = (
            select(
                Product.category,
                func.count(Product.id),
                func.min(Product.price),
                func.max(Product.price),
            )
            .group_by(Product.category)
            .order_by(func.count(Product.id).desc(), Product.category)
        )
        with self._sessions() as session:
            return [
                CategorySummary(name=name, product_count=count, min_price=low, max_price=high)
                for name, count, low, high in session.execute(query)
            ]

    def in_category(self, category: str, limit: int = 20) -> list[ProductInfo]:
        query = (
            select(Product)
            .where(func.lower(Product.category) == category.strip().lower())
            .order_by(Product.price)
            .limit(limit)
        )
        with self._sessions() as session:
            return [product_info(row) for row in session.scalars(query)]

    def count(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count(Product.id))) or 0
