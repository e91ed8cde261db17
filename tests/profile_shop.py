"""A tiny shop for profile tests: every feature of every customer can be computed by hand.

AS_OF = 2026-11-20 12:00. Catalogue prices 10, 100, 200, 800, 1200 (tertiles 133.33 and 600).

Ada (joined 400 days ago): order A1 100 days ago, one Aero laptop at 800 (delivered); order A2
10 days ago, two Quiet headphones at 100 and two Link cables at 10 (220, delivered); order A3
5 days ago, a Zen ultrabook (1200) *cancelled*. One headphone returned 3 days ago. Six product
views and two add-to-carts. Reviews: laptop "love it" 50 days ago (5 stars), headphones "bad"
3 days ago (2 stars). A conversation 2 days ago and a ticket 20 days ago.

Ben (joined 30 days ago): order B1 one day ago, one Quiet headphone at 100; no reviews.
Cy (joined 200 days ago): never ordered; four product views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import (
    BrowsingEvent,
    Conversation,
    ConversationOwner,
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Return,
    ReturnStatus,
    Review,
    Ticket,
)
from insight.profiles.contracts import CustomerProfile
from insight.profiles.frames import load_frames
from insight.profiles.pipeline import assemble, stored_inputs
from insight.profiles.sentiment import FakePolarity, PolarityScorer
from insight.profiles.store import load_models

AS_OF = datetime(2026, 11, 20, 12, 0)
POLARITY = FakePolarity({"love it": 0.8, "bad": -0.6, "great again": 0.5})


@dataclass(frozen=True)
class ProfileShop:
    ada: int
    ben: int
    cy: int
    laptop: int
    ultrabook: int
    headphones: int
    cable: int
    earbuds: int


def _ago(days: float) -> datetime:
    return AS_OF - timedelta(days=days)


def _order(
    number: str,
    customer: Customer,
    days_ago: float,
    status: OrderStatus,
    lines: list[tuple[Product, int, str]],
) -> Order:
    total = sum((Decimal(price) * quantity for _, quantity, price in lines), Decimal("0"))
    order = Order(
        number=number,
        customer=customer,
        placed_at=_ago(days_ago),
        status=status,
        currency="EUR",
        total=total,
        payment_method="card",
        ship_name=customer.name,
        ship_street="1 Test Street",
        ship_city="Oslo",
        ship_postcode="0150",
        ship_country="NO",
    )
    order.lines = [
        OrderLine(product=p, quantity=q, unit_price=Decimal(price)) for p, q, price in lines
    ]
    return order


def add_order(
    sessions: sessionmaker[Session],
    *,
    customer_id: int,
    product_id: int,
    number: str,
    days_ago: float,
    price: str,
) -> None:
    with sessions() as session:
        customer = session.get(Customer, customer_id)
        product = session.get(Product, product_id)
        assert customer is not None and product is not None
        session.add(_order(number, customer, days_ago, OrderStatus.PAID, [(product, 1, price)]))
        session.commit()


def add_review(
    sessions: sessionmaker[Session],
    *,
    customer_id: int,
    product_id: int,
    text: str,
    rating: int,
    days_ago: float,
) -> None:
    with sessions() as session:
        session.add(
            Review(
                customer_id=customer_id,
                product_id=product_id,
                rating=rating,
                text=text,
                created_at=_ago(days_ago),
            )
        )
        session.commit()


def build_profile_shop(sessions: sessionmaker[Session]) -> ProfileShop:
    with sessions() as session:
        ada = Customer(
            external_ref="P-ADA",
            email="ada@p.example",
            name="Ada Lovelace",
            country="NO",
            created_at=_ago(400),
        )
        ben = Customer(
            external_ref="P-BEN",
            email="ben@p.example",
            name="Ben Okafor",
            country="DE",
            created_at=_ago(30),
        )
        cy = Customer(
            external_ref="P-CY",
            email="cy@p.example",
            name="Cy Young",
            country="SE",
            created_at=_ago(200),
        )

        def product(sku: str, category: str, brand: str, price: str) -> Product:
            return Product(
                sku=sku,
                name=f"{brand} {sku}",
                category=category,
                brand=brand,
                price=Decimal(price),
                stock=5,
                description=sku,
                created_at=_ago(500),
            )

        laptop = product("LAP-1", "Laptops", "Aero", "800")
        ultrabook = product("LAP-2", "Laptops", "Zen", "1200")
        headphones = product("HP-1", "Headphones", "Quiet", "100")
        cable = product("CAB-1", "Cables", "Link", "10")
        earbuds = product("HP-2", "Headphones", "Aero", "200")
        session.add_all([ada, ben, cy, laptop, ultrabook, headphones, cable, earbuds])
        session.flush()
        a1 = _order("SS-200001", ada, 100, OrderStatus.DELIVERED, [(laptop, 1, "800")])
        a2 = _order(
            "SS-200002", ada, 10, OrderStatus.DELIVERED, [(headphones, 2, "100"), (cable, 2, "10")]
        )
        a3 = _order("SS-200003", ada, 5, OrderStatus.CANCELLED, [(ultrabook, 1, "1200")])
        b1 = _order("SS-200004", ben, 1, OrderStatus.PAID, [(headphones, 1, "100")])
        session.add_all([a1, a2, a3, b1])
        session.flush()
        session.add(
            Return(
                order_id=a2.id,
                order_line_id=a2.lines[0].id,
                quantity=1,
                reason="noise",
                refund_method="card",
                status=ReturnStatus.RECEIVED,
                created_at=_ago(3),
            )
        )
        for number, kind in enumerate(["product_view"] * 6 + ["add_to_cart"] * 2):
            session.add(
                BrowsingEvent(
                    customer_id=ada.id,
                    session_id="s-ada",
                    event_type=kind,
                    product_id=laptop.id,
                    occurred_at=_ago(120 - number),
                )
            )
        for number in range(4):
            session.add(
                BrowsingEvent(
                    customer_id=cy.id,
                    session_id="s-cy",
                    event_type="product_view",
                    product_id=earbuds.id,
                    occurred_at=_ago(50 - number),
                )
            )
        session.add_all(
            [
                Review(
                    customer_id=ada.id,
                    product_id=laptop.id,
                    rating=5,
                    text="love it",
                    created_at=_ago(50),
                ),
                Review(
                    customer_id=ada.id,
                    product_id=headphones.id,
                    rating=2,
                    text="bad",
                    created_at=_ago(3),
                ),
                Conversation(
                    id="conv-ada",
                    customer_id=ada.id,
                    owner=ConversationOwner.BOT,
                    created_at=_ago(2),
                    updated_at=_ago(2),
                ),
                Ticket(
                    customer_id=ada.id, email="ada@p.example", message="hello", created_at=_ago(20)
                ),
            ]
        )
        session.commit()
        return ProfileShop(
            ada=ada.id,
            ben=ben.id,
            cy=cy.id,
            laptop=laptop.id,
            ultrabook=ultrabook.id,
            headphones=headphones.id,
            cable=cable.id,
            earbuds=earbuds.id,
        )


def assert_as_full_rebuild(
    engine: Engine, profile: CustomerProfile, scorer: PolarityScorer
) -> None:
    """``profile`` (refreshed) equals what a full rebuild with the stored population models
    gives that customer at the profile's ``as_of``."""
    models, _ = load_models(engine)
    frames = load_frames(engine)  # everyone, as a full build reads the shop
    moment = pd.Timestamp(profile.as_of)
    profiles, vectors = assemble(
        stored_inputs(frames, moment, models, scorer), models, frames, moment
    )
    full = profiles.loc[profile.customer_id].to_dict()
    for exact in ("segment", "frequency", "review_count", "top_categories", "top_topics"):
        assert getattr(profile, exact) == full[exact], exact
    for number in (
        "recency_days",
        "monetary",
        "return_rate",
        "days_since_contact",
        "sentiment",
        "churn_risk",
        "predicted_value_12m",
    ):
        if pd.isna(full[number]):
            assert getattr(profile, number) is None, number
        else:
            assert getattr(profile, number) == pytest.approx(full[number]), number
    row = list(profiles.index).index(profile.customer_id)
    np.testing.assert_allclose(profile.vector, vectors[row], atol=1e-6)
