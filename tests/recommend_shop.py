"""A small shop for recommender tests: the support shop plus shoppers whose tastes are plain.

On top of ``build_support_shop`` (Ada, Ben, Cleo; the Aero laptop, the sold-out Zen ultrabook
and the Quiet headphones): more laptops, headphones, cables and speakers, one more sold-out
product, and twelve shoppers in two groups. Laptop people buy a laptop with a cable and look at
other laptops; audio people buy headphones with a speaker and look at other headphones (one
product per order, the first 55–60 days before the factories' ``TODAY``, the second 25–30).

Cleo (laptop, headphones; the headphones returned) is the customer whose suggestions the tests
check: never the laptop or headphones she has, never the sold-out products.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import BrowsingEvent, Customer, Product
from tests.factories import TODAY, SupportShopFixture, build_support_shop
from tests.profile_shop import add_order

# name, category, brand, price, stock
EXTRA_PRODUCTS = (
    ("Aero 15 Laptop Pro", "Laptops", "Aero", "999.00", 5),
    ("Nimbus 14 Laptop Air", "Laptops", "Nimbus", "899.00", 3),
    ("Quiet 3 Headphones Pro", "Headphones", "Quiet", "149.00", 7),
    ("Boom Wireless Headphones", "Headphones", "Boom", "79.00", 9),
    ("Link USB-C Cable", "Cables", "Link", "9.90", 50),
    ("Link HDMI Cable", "Cables", "Link", "14.90", 0),
    ("Boom Bass Speaker", "Speakers", "Boom", "59.00", 8),
    ("Boom Party Speaker", "Speakers", "Boom", "129.00", 4),
)
LAPTOP_PEOPLE = (
    ("Aero 15 Laptop Pro", "Link USB-C Cable"),
    ("Nimbus 14 Laptop Air", "Link USB-C Cable"),
    ("Aero 14 Laptop", "Link HDMI Cable"),
    ("Aero 15 Laptop Pro", "Link HDMI Cable"),
    ("Nimbus 14 Laptop Air", "Link HDMI Cable"),
    ("Aero 14 Laptop", "Link USB-C Cable"),
)
AUDIO_PEOPLE = (
    ("Quiet 3 Headphones Pro", "Boom Bass Speaker"),
    ("Boom Wireless Headphones", "Boom Party Speaker"),
    ("Quiet 2 Headphones", "Boom Bass Speaker"),
    ("Quiet 3 Headphones Pro", "Boom Party Speaker"),
    ("Boom Wireless Headphones", "Boom Bass Speaker"),
    ("Quiet 2 Headphones", "Boom Party Speaker"),
)


@dataclass(frozen=True)
class RecommendShop:
    support: SupportShopFixture
    products: dict[str, int]  # name → id, every product of the shop
    laptop_people: tuple[int, ...]
    audio_people: tuple[int, ...]

    @property
    def cleo(self) -> int:
        return self.support.cleo_id


def build_recommend_shop(sessions: sessionmaker[Session]) -> RecommendShop:
    support = build_support_shop(sessions)
    with sessions() as session:
        for name, category, brand, price, stock in EXTRA_PRODUCTS:
            session.add(
                Product(
                    sku=name.upper().replace(" ", "-")[:40],
                    name=name,
                    category=category,
                    brand=brand,
                    price=Decimal(price),
                    stock=stock,
                    description=f"{name} from {brand}",
                    created_at=TODAY - timedelta(days=90),
                )
            )
        session.flush()
        by_name = {p.name: p for p in session.query(Product)}
        groups: dict[str, list[int]] = {"laptop": [], "audio": []}
        orders: list[tuple[int, Product, int]] = []  # customer, product, days ago
        for group, baskets, browsed in (
            ("laptop", LAPTOP_PEOPLE, ("Aero 14 Laptop", "Nimbus 14 Laptop Air")),
            ("audio", AUDIO_PEOPLE, ("Quiet 3 Headphones Pro", "Boom Wireless Headphones")),
        ):
            for position, basket in enumerate(baskets):
                shopper = Customer(
                    external_ref=f"C-{group.upper()}-{position}",
                    email=f"{group}{position}@example.com",
                    name=f"{group.title()} Shopper {position}",
                    country="NO",
                    created_at=TODAY - timedelta(days=120),
                )
                session.add(shopper)
                session.flush()
                orders += [
                    (shopper.id, by_name[basket[0]], 60 - position),
                    (shopper.id, by_name[basket[1]], 30 - position),
                ]
                for seen in browsed:
                    session.add(
                        BrowsingEvent(
                            customer_id=shopper.id,
                            session_id=f"ws-{shopper.id}",
                            event_type="product_view",
                            product_id=by_name[seen].id,
                            occurred_at=TODAY - timedelta(days=70 - position),
                        )
                    )
                groups[group].append(shopper.id)
        products = {name: product.id for name, product in by_name.items()}
        prices = {product.id: str(product.price) for product in by_name.values()}
        session.commit()
    for number, (customer, product, days_ago) in enumerate(orders, start=200_001):
        add_order(
            sessions,
            customer_id=customer,
            product_id=product.id,
            number=f"SS-{number}",
            days_ago=days_ago,
            price=prices[product.id],
        )
    return RecommendShop(
        support=support,
        products=products,
        laptop_people=tuple(groups["laptop"]),
        audio_people=tuple(groups["audio"]),
    )
