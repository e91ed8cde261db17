"""The voucher rule: why a code does not apply, or what it gives; and reading codes and basket
totals out of what shoppers type."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from insight.support.vouchers import (
    Basket,
    Verdict,
    VoucherTerms,
    find_basket_total,
    find_voucher_code,
    judge_voucher,
)

NOW = datetime(2026, 11, 20, 12, 0)
ADA, BEN = 1, 2
SAVE10 = VoucherTerms(
    code="SAVE10",
    percent_off=Decimal(10),
    amount_off=None,
    max_discount=None,
    min_basket=Decimal(50),
    excluded_categories=("Laptops",),
    valid_from=NOW - timedelta(days=10),
    valid_until=NOW + timedelta(days=10),
    max_uses=None,
    times_used=0,
    customer_id=None,
)


def judge(terms: VoucherTerms | None, basket: Basket | None = None, who: int = ADA) -> Verdict:
    return judge_voucher("SAVE10", terms, who, basket or Basket(), NOW).verdict


def test_an_unknown_code_is_unknown() -> None:
    assert judge(None) == Verdict.UNKNOWN


def test_a_code_inside_its_dates_with_a_big_enough_basket_is_valid() -> None:
    check = judge_voucher("SAVE10", SAVE10, ADA, Basket(Decimal("60.00"), ("Headphones",)), NOW)
    assert check.verdict == Verdict.VALID
    assert check.terms == SAVE10


def test_dates_decide_before_the_basket() -> None:
    small = Basket(Decimal(10))
    assert judge(replace(SAVE10, valid_until=NOW - timedelta(days=1)), small) == Verdict.EXPIRED
    assert (
        judge(replace(SAVE10, valid_from=NOW + timedelta(days=1)), small) == Verdict.NOT_YET_VALID
    )


def test_a_basket_under_the_minimum_is_refused_and_an_unknown_total_is_not() -> None:
    assert judge(SAVE10, Basket(Decimal("49.99"))) == Verdict.BELOW_MINIMUM
    assert judge(SAVE10, Basket(Decimal("50.00"))) == Verdict.VALID
    assert judge(SAVE10, Basket(None)) == Verdict.VALID


def test_an_excluded_category_in_the_basket_is_named_whatever_its_case() -> None:
    check = judge_voucher("SAVE10", SAVE10, ADA, Basket(Decimal(900), ("laptops",)), NOW)
    assert (check.verdict, check.category) == (Verdict.EXCLUDED_CATEGORY, "Laptops")


def test_uses_run_out_for_shared_and_personal_codes_alike() -> None:
    assert judge(replace(SAVE10, max_uses=100, times_used=100)) == Verdict.LIMIT_REACHED
    personal = replace(SAVE10, customer_id=ADA, max_uses=1, times_used=1)
    assert judge(personal) == Verdict.USED


@pytest.mark.parametrize("who", [BEN, None])
def test_someone_elses_personal_code_reveals_nothing_about_it(who: int | None) -> None:
    expired_of_ada = replace(SAVE10, customer_id=ADA, valid_until=NOW - timedelta(days=1))
    check = judge_voucher("SAVE10", expired_of_ada, who, Basket(), NOW)
    assert check.verdict == Verdict.NOT_YOURS
    assert check.terms is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("my code SAVE10 doesn't work", "SAVE10"),
        ("why won't WELCOME15 apply to my basket", "WELCOME15"),
        ("voucher save10 not working??", "SAVE10"),
        ("the code freeship keeps saying invalid", "FREESHIP"),
        ("Why is FREESHIP rejected", "FREESHIP"),
        ("  welcome15 ", "WELCOME15"),
        ("MY CODE SAVE10 DOESNT WORK", "SAVE10"),
        ("code SAVE10 on order SS-100002 fails", "SAVE10"),
    ],
)
def test_the_code_is_found_however_it_is_typed(text: str, code: str) -> None:
    assert find_voucher_code(text) == code


@pytest.mark.parametrize("text", ["my discount code doesn't work", "why won't it apply", ""])
def test_no_code_is_made_up(text: str) -> None:
    assert find_voucher_code(text) is None


@pytest.mark.parametrize(
    ("text", "total"),
    [
        ("my basket is €42.50", Decimal("42.50")),
        ("it's only 30 euros", Decimal(30)),
        ("cart total is 45", Decimal(45)),
        ("basket comes to 19,99 EUR", Decimal("19.99")),
        ("SAVE10 doesn't work", None),
        ("order SS-100002 with SAVE10", None),
    ],
)
def test_the_basket_total_the_shopper_gives(text: str, total: Decimal | None) -> None:
    assert find_basket_total(text) == total
