"""Product help from the catalogue: finding what a shopper names, and simple suggestions.

``Recommender`` is the port the assistant asks for suggestions and look-alikes, each with the
reason it was suggested; ``insight.recommend``'s hybrid recommender answers it from a trained
artefact, ``CatalogRecommender`` from the catalogue and order history alone (popular, in stock,
within budget, the shopper's favourite categories first) when no artefact has been built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import OrderLine, Product
from insight.domain import ProductInfo
from insight.recommend.contracts import Reason, ReasonKind, Suggestion
from insight.repositories.products import product_info

_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "any",
        "are",
        "do",
        "does",
        "for",
        "how",
        "i",
        "in",
        "is",
        "it",
        "me",
        "much",
        "my",
        "of",
        "on",
        "one",
        "the",
        "there",
        "this",
        "to",
        "what",
        "which",
        "with",
        "you",
        "your",
        "have",
        "got",
        "still",
        "stock",
        "price",
        "cost",
        "costs",
    }
)
_AMOUNT = re.compile(r"(\d{1,3}(?:[,.]\d{3})+|\d+)(?:[.,](\d{1,2}))?\s*(k\b)?", re.IGNORECASE)
SIMILAR_PRICE_SPREAD = Decimal("0.5")


@dataclass(frozen=True)
class ProductQuery:
    """What the shopper asked for: words naming a category or product, a budget, their tastes,
    and who they are when verified (suggestions for them, without what they already bought)."""

    terms: tuple[str, ...] = ()
    max_price: Decimal | None = None
    affinities: tuple[str, ...] = ()  # favourite categories, best first
    customer_id: int | None = None


class Recommender(Protocol):
    def warm_up(self) -> None:
        """Load whatever the recommender needs; the first suggestion loads it anyway."""
        ...

    def suggest(self, query: ProductQuery, k: int = 3) -> list[Suggestion]:
        """Up to ``k`` products in stock that fit the query, best first, each with a reason."""
        ...

    def similar(self, product_id: int, k: int = 3) -> list[Suggestion]:
        """Up to ``k`` products in stock like ``product_id``, most alike first."""
        ...


def parse_budget(text: str) -> Decimal | None:
    """An amount from "100", "$1,200", "150 euros", "2k", "99.90"; ``None`` if there is none."""
    match = _AMOUNT.search(text)
    if match is None:
        return None
    whole, cents, thousands = match.groups()
    try:
        amount = Decimal(re.sub(r"[,.]", "", whole) + (f".{cents}" if cents else ""))
    except InvalidOperation:
        return None
    return amount * 1000 if thousands else amount


def _stem(word: str) -> str:
    """Plural to singular, roughly: batteries → battery, watches → watch, tvs → tv."""
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "sses", "zes")):
        return word[:-2]
    if len(word) > 2 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def keywords(text: str) -> tuple[str, ...]:
    """The words of ``text`` worth matching against the catalogue, stemmed, stopwords dropped."""
    words = re.findall(r"[a-z0-9][a-z0-9+-]*", text.lower())
    return tuple(dict.fromkeys(_stem(w) for w in words if w not in _STOPWORDS and len(w) > 1))


def _matches(term: str) -> ColumnElement[bool]:
    pattern = f"%{term}%"
    return or_(func.lower(Product.category).like(pattern), func.lower(Product.name).like(pattern))


class CatalogSearch:
    """Finds the products and categories a shopper names in their own words."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def find(self, name: str) -> ProductInfo | None:
        """The product whose name contains the most of the words typed (at least two thirds)."""
        words = keywords(name)
        if not words:
            return None
        named = or_(*(func.lower(Product.name).like(f"%{word}%") for word in words))
        query = select(Product).where(named)
        with self._sessions() as session:
            candidates = [product_info(row) for row in session.scalars(query.limit(500))]

        def score(product: ProductInfo) -> tuple[float, int, int]:
            hits = sum(word in product.name.lower() for word in words)
            return hits / len(words), -len(product.name), -product.id

        best = max(candidates, key=score, default=None)
        return best if best is not None and score(best)[0] >= 2 / 3 else None

    def in_category(self, term: str, limit: int = 50) -> list[ProductInfo]:
        """Products whose category (or, failing that, name) contains the term, cheapest first."""
        stem = _stem(term.strip())
        if len(stem) < 2:
            return []
        by_category = func.lower(Product.category).like(f"%{stem}%")
        with self._sessions() as session:
            rows = session.scalars(select(Product).where(by_category).order_by(Product.price))
            found = [product_info(row) for row in rows.all()[:limit]]
            if not found:
                rows = session.scalars(
                    select(Product)
                    .where(func.lower(Product.name).like(f"%{stem}%"))
                    .order_by(Product.price)
                    .limit(limit)
                )
                found = [product_info(row) for row in rows]
        return found


class CatalogRecommender:
    """Suggestions from the catalogue alone: popularity, stock, budget and favourite categories."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def warm_up(self) -> None:
        """Nothing to load: every suggestion is a query."""

    def _ranked(self, query: Select[Product], k: int) -> list[ProductInfo]:
        sold = (
            select(OrderLine.product_id, func.sum(OrderLine.quantity).label("sold"))
            .group_by(OrderLine.product_id)
            .subquery()
        )
        ranked = (
            query.outerjoin(sold, sold.c.product_id == Product.id)
            .where(Product.stock > 0)
            .order_by(func.coalesce(sold.c.sold, 0).desc(), Product.price.desc(), Product.id)
            .limit(k)
        )
        with self._sessions() as session:
            return [product_info(row) for row in session.scalars(ranked)]

    def suggest(self, query: ProductQuery, k: int = 3) -> list[Suggestion]:
        base = select(Product)
        if query.max_price is not None:
            base = base.where(Product.price <= query.max_price)
        popular = Reason(ReasonKind.POPULAR)
        if query.terms:
            named = base.where(or_(*(_matches(t) for t in query.terms)))
            return [Suggestion(p, popular) for p in self._ranked(named, k)]
        picked: list[Suggestion] = []
        for category in query.affinities:
            liked = Reason(ReasonKind.FAVOURITE, category)
            in_category = self._ranked(base.where(Product.category == category), k)
            picked += [Suggestion(p, liked) for p in in_category if p not in _products(picked)]
        rest = [Suggestion(p, popular) for p in self._ranked(base, k) if p not in _products(picked)]
        return (picked + rest)[:k]

    def similar(self, product_id: int, k: int = 3) -> list[Suggestion]:
        with self._sessions() as session:
            product = session.get(Product, product_id)
            if product is None:
                return []
            low = product.price * (1 - SIMILAR_PRICE_SPREAD)
            high = product.price * (1 + SIMILAR_PRICE_SPREAD)
            query = (
                select(Product)
                .where(
                    Product.category == product.category,
                    Product.id != product.id,
                    Product.stock > 0,
                    Product.price.between(low, high),
                )
                .order_by(func.abs(Product.price - product.price), Product.id)
                .limit(k)
            )
            alike = Reason(ReasonKind.SIMILAR, product.name)
            return [Suggestion(product_info(row), alike) for row in session.scalars(query)]


def _products(suggestions: list[Suggestion]) -> list[ProductInfo]:
    return [suggestion.product for suggestion in suggestions]
