"""SQLAlchemy 2 models of the shop database.

All timestamps are naive UTC. Money is ``Numeric(12, 2)``. These classes stay inside
``insight``: repositories turn rows into frozen dataclasses before anything leaves the library.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

Money = Numeric(12, 2)

# Stable constraint names so that migrations behave the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OrderStatus(enum.StrEnum):
    PLACED = "placed"
    PAID = "paid"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"


class ShipmentStatus(enum.StrEnum):
    LABEL_CREATED = "label_created"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELAYED = "delayed"
    LOST = "lost"


class ReturnStatus(enum.StrEnum):
    REQUESTED = "requested"
    RECEIVED = "received"
    REFUNDED = "refunded"
    REJECTED = "rejected"


class ExchangeReason(enum.StrEnum):
    SIZE = "size"
    COLOUR = "colour"
    MODEL = "model"
    DEFECTIVE = "defective"


class ExchangeStatus(enum.StrEnum):
    REQUESTED = "requested"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class RefundStatus(enum.StrEnum):
    PENDING = "pending"
    ISSUED = "issued"


class ConversationOwner(enum.StrEnum):
    BOT = "bot"
    QUEUED = "queued"
    AGENT = "agent"


def _enum(cls: type[enum.StrEnum]) -> Enum:
    # Stored as plain strings (no native PostgreSQL enum) so adding a value needs no type migration.
    return Enum(cls, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e])


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_ref: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str | None] = mapped_column(String(120))
    age: Mapped[int | None] = mapped_column(SmallInteger)
    gender: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    orders: Mapped[list[Order]] = relationship(back_populates="customer")


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(80), index=True)
    brand: Mapped[str] = mapped_column(String(80), index=True)
    price: Mapped[Decimal] = mapped_column(Money)
    stock: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    placed_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus))
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Money)
    payment_method: Mapped[str] = mapped_column(String(32))
    ship_name: Mapped[str] = mapped_column(String(200))
    ship_street: Mapped[str] = mapped_column(String(300))
    ship_city: Mapped[str] = mapped_column(String(120))
    ship_postcode: Mapped[str] = mapped_column(String(16))
    ship_country: Mapped[str] = mapped_column(String(2))

    customer: Mapped[Customer] = relationship(back_populates="orders")
    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.id")
    shipments: Mapped[list[Shipment]] = relationship(back_populates="order", order_by="Shipment.id")


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Money)

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    carrier: Mapped[str] = mapped_column(String(40))
    tracking_number: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[ShipmentStatus] = mapped_column(_enum(ShipmentStatus))
    shipped_at: Mapped[datetime] = mapped_column(DateTime)
    eta: Mapped[date] = mapped_column(Date)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)

    order: Mapped[Order] = relationship(back_populates="shipments")
    events: Mapped[list[ShipmentEvent]] = relationship(order_by="ShipmentEvent.occurred_at")


class ShipmentEvent(Base):
    """One entry of a shipment's status history, as the carrier reported it."""

    __tablename__ = "shipment_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[ShipmentStatus] = mapped_column(_enum(ShipmentStatus))
    location: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(300))


class Return(Base):
    __tablename__ = "returns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300))
    refund_method: Mapped[str] = mapped_column(String(32))
    status: Mapped[ReturnStatus] = mapped_column(_enum(ReturnStatus))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Exchange(Base):
    """A delivered unit swapped for another variant of its category (or a new one if defective).

    ``price_difference`` is replacement price minus the price paid: positive is charged to the
    customer, negative refunded. The exchanged unit counts as returned for later returns.
    """

    __tablename__ = "exchanges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    replacement_product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    reason: Mapped[ExchangeReason] = mapped_column(_enum(ExchangeReason))
    price_difference: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[ExchangeStatus] = mapped_column(_enum(ExchangeStatus))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Refund(Base):
    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    method: Mapped[str] = mapped_column(String(32))
    status: Mapped[RefundStatus] = mapped_column(_enum(RefundStatus))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    issued_at: Mapped[datetime | None] = mapped_column(DateTime)


class BrowsingEvent(Base):
    __tablename__ = "browsing_events"
    __table_args__ = (Index("ix_browsing_events_customer_time", "customer_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    session_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(40))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("customer_id", "product_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Admins also see the shop owner's analytics (the desk's /desk/analytics page).
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime)


class DeskSessionRevocation(Base):
    """A desk session its agent logged out of: its cookie is refused until it would have expired
    anyway, by every gateway sharing the database. Rows go once that time has passed."""

    __tablename__ = "desk_session_revocations"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class Conversation(Base):
    """A shopper's conversation and who holds it (the assistant, the queue or an agent)."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    owner: Mapped[ConversationOwner] = mapped_column(_enum(ConversationOwner), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    priority: Mapped[float] = mapped_column(default=0.0)
    escalation_reason: Mapped[str | None] = mapped_column(String(300))
    # What escalated it: the assistant's handoff, the emotion signal, the shopper, or an agent.
    escalation_source: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    queued_at: Mapped[datetime | None] = mapped_column(DateTime)


class ConversationMessage(Base):
    __tablename__ = "conversation_messages"
    __table_args__ = (
        Index("ix_conversation_messages_conv_id", "conversation_id", "id"),
        # A message the sender's browser re-sends after a reconnect is stored once.
        UniqueConstraint("conversation_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    sender: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    emotion: Mapped[str | None] = mapped_column(String(24))
    emotion_confidence: Mapped[float | None] = mapped_column()
    emotion_polarity: Mapped[float | None] = mapped_column()  # −1 negative … +1 positive
    client_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class CustomerTokenUse(Base):
    """The conversation a customer token opened first: a token is good for that one only, across
    gateway restarts and every gateway sharing the database. Rows go once the token expired."""

    __tablename__ = "customer_token_uses"

    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class GuestVerificationAttempt(Base):
    """A guest's try at verifying with an order number and an email, in any conversation: under
    way, or failed. Kept for the policy's window (``insight.support.verification``)."""

    __tablename__ = "guest_verification_attempts"
    __table_args__ = (
        Index("ix_guest_verification_attempts_order_number_at", "order_number", "at"),
        Index("ix_guest_verification_attempts_email_digest_at", "email_digest", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_number: Mapped[str] = mapped_column(String(64))
    email_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the address, not the address
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class Voucher(Base):
    """A discount code: shop-wide (``customer_id`` empty) or personal to one customer.

    A percentage (``percent_off``, capped by ``max_discount`` when set) or a fixed amount
    (``amount_off``) off a basket of at least ``min_basket``, outside ``excluded_categories``,
    between ``valid_from`` and ``valid_until``, at most ``max_uses`` times in all. ``reason`` says
    why the shop issued it (``retention``: a goodwill code the assistant offered).
    """

    __tablename__ = "vouchers"
    __table_args__ = (
        Index("ix_vouchers_customer_reason_created", "customer_id", "reason", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # upper case
    percent_off: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    amount_off: Mapped[Decimal | None] = mapped_column(Money)
    max_discount: Mapped[Decimal | None] = mapped_column(Money)
    min_basket: Mapped[Decimal | None] = mapped_column(Money)
    excluded_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    valid_from: Mapped[datetime | None] = mapped_column(DateTime)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime)
    max_uses: Mapped[int | None] = mapped_column(Integer)
    times_used: Mapped[int] = mapped_column(Integer, default=0)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    reason: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ClaimKind(enum.StrEnum):
    NOT_RECEIVED = "not_received"
    DAMAGED = "damaged"
    WRONG_ADDRESS = "wrong_address"


class ClaimStatus(enum.StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    RESOLVED = "resolved"


class Claim(Base):
    """A delivery problem a shopper reported: a parcel marked delivered that never came, a damaged
    parcel, or a wrong address on a dispatched order. ``carrier_facts`` is the summary of the
    carrier's events at the time of the report, so the agent sees what the shopper was told.
    At most one claim per order and kind is not resolved (a second report returns it)."""

    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_order_kind_status", "order_id", "kind", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    kind: Mapped[ClaimKind] = mapped_column(_enum(ClaimKind))
    description: Mapped[str] = mapped_column(Text, default="")
    carrier_facts: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ClaimStatus] = mapped_column(_enum(ClaimStatus))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Ticket(Base):
    """A message left for the support team when no agent was online."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversations.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    email: Mapped[str] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AgentNote(Base):
    __tablename__ = "agent_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class CsatResponse(Base):
    __tablename__ = "csat_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    score: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


# --- customer insight (built by ``python -m insight build profiles``; see insight/profiles) ---


class CustomerProfileRow(Base):
    """One customer's precomputed fused profile (the readable part and the fused vector)."""

    __tablename__ = "customer_profiles"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    segment_id: Mapped[int] = mapped_column(SmallInteger, index=True)
    segment: Mapped[str] = mapped_column(String(40))
    churn_risk: Mapped[float | None] = mapped_column(Float)
    predicted_value_12m: Mapped[float] = mapped_column(Float)
    expected_orders_12m: Mapped[float] = mapped_column(Float)
    recency_days: Mapped[float | None] = mapped_column(Float)
    frequency: Mapped[int] = mapped_column(Integer)
    monetary: Mapped[float] = mapped_column(Float)
    avg_order_value: Mapped[float | None] = mapped_column(Float)
    tenure_days: Mapped[float] = mapped_column(Float)
    price_band: Mapped[str | None] = mapped_column(String(16))
    views_per_order: Mapped[float | None] = mapped_column(Float)
    return_rate: Mapped[float | None] = mapped_column(Float)
    days_since_contact: Mapped[float | None] = mapped_column(Float)
    top_categories: Mapped[list[str]] = mapped_column(JSON)
    top_brands: Mapped[list[str]] = mapped_column(JSON)
    sentiment: Mapped[float | None] = mapped_column(Float)
    review_count: Mapped[int] = mapped_column(Integer)
    top_topics: Mapped[list[str]] = mapped_column(JSON)
    last_order_number: Mapped[str | None] = mapped_column(String(32))
    last_order_at: Mapped[datetime | None] = mapped_column(DateTime)
    vector: Mapped[list[float]] = mapped_column(JSON)
    as_of: Mapped[datetime] = mapped_column(DateTime)
    built_at: Mapped[datetime] = mapped_column(DateTime)


class CustomerSegmentRow(Base):
    """A segment of the last full build: its name, size and what its members are like."""

    __tablename__ = "customer_segments"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    centroid: Mapped[dict[str, float]] = mapped_column(JSON)


class ReviewInsightRow(Base):
    """Per review: polarity from the named scorer and dominant topic (``None`` if no topic)."""

    __tablename__ = "review_insights"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    polarity: Mapped[float] = mapped_column(Float)
    topic_id: Mapped[int | None] = mapped_column(SmallInteger)
    scorer: Mapped[str] = mapped_column(String(40))


class ProductInsightRow(Base):
    __tablename__ = "product_insights"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    review_count: Mapped[int] = mapped_column(Integer)
    sentiment: Mapped[float | None] = mapped_column(Float)
    mean_rating: Mapped[float | None] = mapped_column(Float)
    top_topics: Mapped[list[str]] = mapped_column(JSON)


class BrandInsightRow(Base):
    __tablename__ = "brand_insights"

    brand: Mapped[str] = mapped_column(String(80), primary_key=True)
    review_count: Mapped[int] = mapped_column(Integer)
    sentiment: Mapped[float | None] = mapped_column(Float)
    mean_rating: Mapped[float | None] = mapped_column(Float)


class ReviewTopicRow(Base):
    __tablename__ = "review_topics"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    label: Mapped[str] = mapped_column(String(120))


class ProfileModelRow(Base):
    """The population-level models of the last full build (pickled), for incremental refresh."""

    __tablename__ = "profile_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[datetime] = mapped_column(DateTime)
    built_at: Mapped[datetime] = mapped_column(DateTime)
    scorer: Mapped[str] = mapped_column(String(40))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
