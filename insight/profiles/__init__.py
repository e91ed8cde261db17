"""Fused customer profiles: behaviour, review sentiment and topics → segments, churn risk,
12-month value and tone. Build with ``python -m insight build profiles``; read with
``ProfileRepository(sessions).get(customer_id)``."""

from insight.profiles.build import BuildSummary, build_profiles, refresh_customer
from insight.profiles.contracts import CustomerProfile, FakeProfileLookup, ProfileLookup
from insight.profiles.pipeline import ProfileConfig
from insight.profiles.repository import ProfileRepository
from insight.profiles.sentiment import FakePolarity, PolarityScorer, VaderBaseline
from insight.profiles.store import NotBuiltError

__all__ = [
    "BuildSummary",
    "CustomerProfile",
    "FakePolarity",
    "FakeProfileLookup",
    "NotBuiltError",
    "PolarityScorer",
    "ProfileConfig",
    "ProfileLookup",
    "ProfileRepository",
    "VaderBaseline",
    "build_profiles",
    "refresh_customer",
]
