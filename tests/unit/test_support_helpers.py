"""The small pure pieces of ``insight.support``: parsing what shoppers type, policy, mood."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from insight.emotion.base import Emotion
from insight.emotion.trajectory import EscalationRule
from insight.settings import PROJECT_ROOT
from insight.support.address import (
    PostalAddress,
    clean_address,
    clean_city,
    clean_postcode,
    clean_street,
)
from insight.support.catalog import keywords, parse_budget
from insight.support.csat import parse_score
from insight.support.formatting import day, listing, money
from insight.support.handoff import HandoffReason, handoff_request
from insight.support.identity import find_email, find_order_number
from insight.support.mood import tone
from insight.support.orders import RefundMethod, ReturnableLine, parse_refund_method, pick_line
from insight.support.policies import (
    VerificationLimit,
    return_window_days,
    shop_currency,
    verification_limit,
)


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("SS-100001", "SS-100001"),
        ("ss 100001", "SS-100001"),
        ("my order is SS100001, thanks", "SS-100001"),
        ("order #100001", "SS-100001"),
        ("100001", "SS-100001"),
        ("it cost 99.90", None),
        ("postcode 0150", None),
        ("1234567890123", None),
    ],
)
def test_order_numbers_are_found_in_whatever_the_shopper_typed(
    typed: str, number: str | None
) -> None:
    assert find_order_number(typed) == number


def test_emails_are_found_and_lower_cased() -> None:
    assert find_email("mail: Ada.Lovelace+shop@Example.co.uk.") == "ada.lovelace+shop@example.co.uk"
    assert find_email("ada at example dot com") is None


@pytest.mark.parametrize(
    ("typed", "score"),
    [
        ("5", 5),
        ("4/5", 4),
        ("three stars", 3),
        ("I'd say 4 out of 5", 4),
        ("10", None),
        ("2.5", None),
        ("1 or 2", None),
        ("meh", None),
    ],
)
def test_csat_scores(typed: str, score: int | None) -> None:
    assert parse_score(typed) == score


@pytest.mark.parametrize(
    ("typed", "budget"),
    [
        ("100", Decimal(100)),
        ("$1,200", Decimal(1200)),
        ("150 euros", Decimal(150)),
        ("2k", Decimal(2000)),
        ("99.90", Decimal("99.90")),
        ("cheap", None),
    ],
)
def test_budgets(typed: str, budget: Decimal | None) -> None:
    assert parse_budget(typed) == budget


def test_keywords_drop_filler_and_stem_plurals() -> None:
    assert keywords("Which headphones do you have in stock?") == ("headphone",)
    assert keywords("batteries for my tvs") == ("battery", "tv")


@pytest.mark.parametrize(
    ("typed", "method"),
    [
        ("store credit please", RefundMethod.STORE_CREDIT),
        ("a voucher", RefundMethod.STORE_CREDIT),
        ("original payment method", RefundMethod.ORIGINAL_PAYMENT),
        ("back to my credit card", RefundMethod.ORIGINAL_PAYMENT),
        ("paypal", RefundMethod.ORIGINAL_PAYMENT),
        ("whatever", None),
    ],
)
def test_refund_methods_in_plain_words(typed: str, method: RefundMethod | None) -> None:
    assert parse_refund_method(typed) == method


def test_an_item_is_picked_only_when_one_name_fits_best() -> None:
    lines = (
        ReturnableLine(1, "Quiet 2 Headphones", 1, Decimal("99.90")),
        ReturnableLine(2, "Aero 14 Laptop", 1, Decimal("799.00")),
    )

    assert pick_line(lines, "the headphones") == lines[0]
    assert pick_line(lines, "Aero 14 Laptop") == lines[1]
    assert pick_line(lines, "a fridge") is None


def test_addresses_need_a_house_number_a_town_and_a_postcode() -> None:
    assert clean_address("12 baker street", "london", "nw1 6xe") == PostalAddress(
        "12 baker street", "London", "NW1 6XE"
    )
    assert clean_address("Baker Street", "London", "NW1 6XE") is None
    assert clean_street("Hauptstr. 5") == "Hauptstr. 5"
    assert [clean_street(t) for t in ("SS-500022", "#500022", "ada@example.com")] == [None] * 3
    assert clean_city("Saint-Étienne") == "Saint-Étienne"
    assert clean_city("12") is None
    assert clean_postcode("0150") == "0150"
    assert clean_postcode("ABC") is None


def test_values_read_naturally() -> None:
    assert money(Decimal("1199"), "EUR") == "€1,199.00"
    assert money(Decimal("5"), "NOK") == "5.00 NOK"
    assert day(date(2026, 11, 22)) == "Sun 22 Nov"
    assert [listing(n) for n in ([], ["a"], ["a", "b"], ["a", "b", "c"])] == [
        "",
        "a",
        "a and b",
        "a, b and c",
    ]


def test_the_return_window_comes_from_the_policies_file(tmp_path: Path) -> None:
    assert return_window_days(tmp_path) == 30
    assert shop_currency(tmp_path) == "EUR"
    (tmp_path / "policies.yml").write_text("returns:\n  window_days: 14\ncurrency: NOK\n")
    assert (return_window_days(tmp_path), shop_currency(tmp_path)) == (14, "NOK")
    (tmp_path / "policies.yml").write_text("return_window_days: 60\n")
    assert return_window_days(tmp_path) == 60


def test_the_guest_verification_limit_comes_from_the_policies_file(tmp_path: Path) -> None:
    an_hour = VerificationLimit(max_failures=5, window=timedelta(hours=1))
    assert verification_limit(tmp_path) == an_hour
    assert verification_limit(PROJECT_ROOT / "knowledge") == an_hour
    (tmp_path / "policies.yml").write_text(
        "guest_verification:\n  max_failures: 8\n  window_minutes: 15\n"
    )
    assert verification_limit(tmp_path) == VerificationLimit(8, timedelta(minutes=15))


def _emotion(label: str, confidence: float) -> Emotion:
    return Emotion(label, confidence, 0.0)  # type: ignore[arg-type]


def test_the_tone_is_upset_for_what_the_escalation_rule_counts_as_hostile() -> None:
    assert tone(_emotion("anger", 0.75)) == "upset"
    assert tone(_emotion("frustration", 0.6)) == "upset"
    assert tone(_emotion("frustration", 0.55)) == "calm"
    assert tone(_emotion("sadness", 0.99)) == "calm"
    assert tone(_emotion("anger", 0.75), EscalationRule(sustained_confidence=0.8)) == "calm"


def test_handoff_priority_by_reason_and_mood() -> None:
    assert handoff_request(HandoffReason.SHOPPER_ASKED, upset=False).priority == 0.4
    assert handoff_request(HandoffReason.PAYMENT_PROBLEM, upset=True).priority == 0.9
    assert handoff_request(HandoffReason.COMPLAINT, upset=True).priority == 0.8
