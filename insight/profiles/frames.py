"""The shop's tables as pandas frames: everything the profile pipeline reads, in one place.

A full build loads every customer; an incremental refresh loads one customer's rows with the
same queries (``customer_ids``), so both paths compute from identical inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Float, cast, select, union_all
from sqlalchemy.orm import QueryableAttribute

from insight.db.frames import AnySelect, read_frame
from insight.db.models import (
    BrowsingEvent,
    Conversation,
    Customer,
    Order,
    OrderLine,
    Product,
    Return,
    Review,
    Ticket,
)

CANCELLED = "cancelled"
_REVIEW_TYPES = {
    "review_id": np.int64,
    "customer_id": np.int64,
    "product_id": np.int64,
    "rating": np.float64,
}


@dataclass(frozen=True)
class ShopFrames:
    """``customers``: customer_id, created_at. ``orders``: order_id, customer_id, number,
    placed_at, status, total. ``lines``: order_id, customer_id, product_id, quantity,
    unit_price. ``products``: product_id, category, brand, price. ``browsing``: customer_id,
    event_type, occurred_at. ``reviews``: review_id, customer_id, product_id, rating, text,
    created_at. ``returns``: customer_id, quantity, created_at. ``contacts``: customer_id, at
    (conversations and tickets)."""

    customers: pd.DataFrame
    orders: pd.DataFrame
    lines: pd.DataFrame
    products: pd.DataFrame
    browsing: pd.DataFrame
    reviews: pd.DataFrame
    returns: pd.DataFrame
    contacts: pd.DataFrame

    def until(self, as_of: pd.Timestamp) -> ShopFrames:
        """Only what had happened by ``as_of`` (inclusive)."""
        orders = self.orders[self.orders["placed_at"] <= as_of]
        return replace(
            self,
            customers=self.customers[self.customers["created_at"] <= as_of],
            orders=orders,
            lines=self.lines[self.lines["order_id"].isin(orders["order_id"])],
            browsing=self.browsing[self.browsing["occurred_at"] <= as_of],
            reviews=self.reviews[self.reviews["created_at"] <= as_of],
            returns=self.returns[self.returns["created_at"] <= as_of],
            contacts=self.contacts[self.contacts["at"] <= as_of],
        )


def _only(
    query: AnySelect, column: QueryableAttribute[Any], ids: Sequence[int] | None
) -> AnySelect:
    return query if ids is None else query.where(column.in_(list(ids)))


def load_frames(engine: Engine, customer_ids: Sequence[int] | None = None) -> ShopFrames:
    """Read the shop (or only ``customer_ids``' rows; the catalogue is always read whole)."""
    customers = read_frame(
        engine,
        _only(
            select(Customer.id.label("customer_id"), Customer.created_at),
            Customer.id,
            customer_ids,
        ),
        ["created_at"],
    )
    orders = read_frame(
        engine,
        _only(
            select(
                Order.id.label("order_id"),
                Order.customer_id,
                Order.number,
                Order.placed_at,
                Order.status,
                cast(Order.total, Float).label("total"),
            ),
            Order.customer_id,
            customer_ids,
        ),
        ["placed_at"],
    )
    orders["status"] = orders["status"].astype(str)
    lines = read_frame(
        engine,
        _only(
            select(
                OrderLine.order_id,
                Order.customer_id,
                OrderLine.product_id,
                OrderLine.quantity,
                cast(OrderLine.unit_price, Float).label("unit_price"),
            ).join(Order, Order.id == OrderLine.order_id),
            Order.customer_id,
            customer_ids,
        ),
        [],
    )
    products = read_frame(
        engine,
        select(
            Product.id.label("product_id"),
            Product.category,
            Product.brand,
            cast(Product.price, Float).label("price"),
        ),
        [],
    )
    browsing = read_frame(
        engine,
        _only(
            select(BrowsingEvent.customer_id, BrowsingEvent.event_type, BrowsingEvent.occurred_at),
            BrowsingEvent.customer_id,
            customer_ids,
        ),
        ["occurred_at"],
    )
    reviews = read_frame(
        engine,
        _only(
            select(
                Review.id.label("review_id"),
                Review.customer_id,
                Review.product_id,
                Review.rating,
                Review.text,
                Review.created_at,
            ),
            Review.customer_id,
            customer_ids,
        ),
        ["created_at"],
    )
    returns = read_frame(
        engine,
        _only(
            select(Order.customer_id, Return.quantity, Return.created_at).join(
                Order, Order.id == Return.order_id
            ),
            Order.customer_id,
            customer_ids,
        ),
        ["created_at"],
    )
    conversation_contacts = _only(
        select(Conversation.customer_id, Conversation.updated_at.label("at")).where(
            Conversation.customer_id.is_not(None)
        ),
        Conversation.customer_id,
        customer_ids,
    )
    ticket_contacts = _only(
        select(Ticket.customer_id, Ticket.created_at.label("at")).where(
            Ticket.customer_id.is_not(None)
        ),
        Ticket.customer_id,
        customer_ids,
    )
    contacts = read_frame(engine, union_all(conversation_contacts, ticket_contacts), ["at"])  # type: ignore[arg-type]
    frames = ShopFrames(
        customers=customers,
        orders=orders,
        lines=lines,
        products=products,
        browsing=browsing,
        reviews=reviews,
        returns=returns,
        contacts=contacts,
    )
    return _typed(frames)


def _typed(frames: ShopFrames) -> ShopFrames:
    """Fix dtypes (empty results come back as ``object`` columns)."""
    return replace(
        frames,
        customers=frames.customers.astype({"customer_id": np.int64}),
        orders=frames.orders.astype(
            {"order_id": np.int64, "customer_id": np.int64, "total": np.float64}
        ),
        lines=frames.lines.astype(
            {
                "order_id": np.int64,
                "customer_id": np.int64,
                "product_id": np.int64,
                "quantity": np.int64,
                "unit_price": np.float64,
            }
        ),
        products=frames.products.astype({"product_id": np.int64, "price": np.float64}),
        browsing=frames.browsing.astype({"customer_id": np.int64}),
        reviews=frames.reviews.astype(_REVIEW_TYPES),
        returns=frames.returns.astype({"customer_id": np.int64, "quantity": np.int64}),
        contacts=frames.contacts.astype({"customer_id": np.int64}),
    )


def load_brand_reviews(engine: Engine, brands: Sequence[str]) -> pd.DataFrame:
    """Every review of the products of ``brands`` (columns as ``ShopFrames.reviews``)."""
    query = (
        select(
            Review.id.label("review_id"),
            Review.customer_id,
            Review.product_id,
            Review.rating,
            Review.text,
            Review.created_at,
        )
        .join(Product, Product.id == Review.product_id)
        .where(Product.brand.in_(list(brands)))
    )
    return read_frame(engine, query, ["created_at"]).astype(_REVIEW_TYPES)
