"""What crosses the profile boundary: the readable ``CustomerProfile``, the lookup contract,
the contract for telling profiles that a customer changed, and their fakes. Other layers
(actions, the gateway, recommendations, order support) depend on these only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

UNHAPPY_SENTIMENT = -0.3
HIGH_CHURN_RISK = 0.7


@dataclass(frozen=True)
class CustomerProfile:
    """One customer's fused profile as of the last build (or incremental refresh).

    ``churn_risk`` is the probability of no order over the model's horizon (``None`` for a
    customer who never ordered); ``predicted_value_12m`` the expected spend in the next twelve
    months; ``sentiment`` the recency-weighted review polarity in [-1, 1] (``None`` without
    reviews); ``vector`` the fused vector P = α·h_behaviour ⊕ β·h_sentiment ⊕ γ·h_topics.
    """

    customer_id: int
    segment: str
    churn_risk: float | None
    predicted_value_12m: float
    expected_orders_12m: float
    top_categories: tuple[str, ...]
    top_brands: tuple[str, ...]
    price_band: str | None
    sentiment: float | None
    review_count: int
    top_topics: tuple[str, ...]
    last_order_number: str | None
    last_order_at: datetime | None
    recency_days: float | None
    frequency: int
    monetary: float
    avg_order_value: float | None
    tenure_days: float
    views_per_order: float | None
    return_rate: float | None
    days_since_contact: float | None
    as_of: datetime
    vector: tuple[float, ...]

    @property
    def tone(self) -> str:
        """How the assistant should sound: ``apologetic`` after clearly negative reviews,
        ``appreciative`` for loyal high spenders, ``reassuring`` for customers at risk of
        leaving, else ``neutral``."""
        if self.sentiment is not None and self.sentiment <= UNHAPPY_SENTIMENT:
            return "apologetic"
        if self.segment == "loyal high spenders":
            return "appreciative"
        if self.churn_risk is not None and self.churn_risk >= HIGH_CHURN_RISK:
            return "reassuring"
        return "neutral"


class ProfileLookup(Protocol):
    def get(self, customer_id: int) -> CustomerProfile | None:
        """The customer's precomputed profile, or ``None`` when none was built for them."""
        ...


class FakeProfileLookup:
    """In-memory ``ProfileLookup`` for tests of other layers."""

    def __init__(self, profiles: Iterable[CustomerProfile]) -> None:
        self.profiles = {profile.customer_id: profile for profile in profiles}

    def get(self, customer_id: int) -> CustomerProfile | None:
        return self.profiles.get(customer_id)


class ProfileChanges(Protocol):
    def changed(self, customer_id: int) -> None:
        """The customer's orders, returns, reviews or contacts changed and are committed.

        Must return at once: it is called on the assistant's request path."""
        ...


class RecordedChanges:
    """``ProfileChanges`` for tests of other layers: remembers who changed, in order."""

    def __init__(self) -> None:
        self.customer_ids: list[int] = []

    def changed(self, customer_id: int) -> None:
        self.customer_ids.append(customer_id)
