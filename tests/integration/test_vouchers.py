"""Vouchers over the real tables, on SQLite and PostgreSQL: why each seeded code does or does not
apply, and where the basket comes from."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from insight.support.vouchers import Verdict, VoucherDesk
from tests.factories import TODAY, SupportShopFixture, build_support_shop


@pytest.fixture
def support_shop(sessions: sessionmaker[Session]) -> SupportShopFixture:
    return build_support_shop(sessions)


@pytest.fixture
def desk(sessions: sessionmaker[Session]) -> VoucherDesk:
    return VoucherDesk(sessions, clock=lambda: TODAY)


@pytest.mark.parametrize(
    ("code", "verdict"),
    [
        ("save10", Verdict.VALID),
        ("NOPE99", Verdict.UNKNOWN),
        ("SUMMER20", Verdict.EXPIRED),
        ("XMAS25", Verdict.NOT_YET_VALID),
        ("FLASH50", Verdict.LIMIT_REACHED),
        ("ADAGIFT", Verdict.USED),
        ("BENVIP20", Verdict.NOT_YOURS),
    ],
)
def test_each_seeded_code_reads_as_the_shop_set_it_up(
    support_shop: SupportShopFixture, desk: VoucherDesk, code: str, verdict: Verdict
) -> None:
    assert desk.check(code, support_shop.small.ada_id, None).verdict == verdict


def test_a_guest_is_never_the_owner_of_a_personal_code(
    support_shop: SupportShopFixture, desk: VoucherDesk
) -> None:
    assert desk.check("BENVIP20", None, None).verdict == Verdict.NOT_YOURS
    assert desk.check("BENVIP20", support_shop.small.ben_id, None).verdict == Verdict.VALID


def test_the_basket_is_the_shoppers_pending_order_unless_they_say_a_total(
    support_shop: SupportShopFixture, desk: VoucherDesk
) -> None:
    ben = support_shop.small.ben_id  # his order placed but not paid: headphones, €99.90
    below = desk.check("WELCOME15", ben, None)
    assert (below.verdict, below.basket.total) == (Verdict.BELOW_MINIMUM, Decimal("99.90"))
    excluded = desk.check("TECH5", ben, None)
    assert (excluded.verdict, excluded.category) == (Verdict.EXCLUDED_CATEGORY, "Headphones")
    assert desk.check("WELCOME15", ben, Decimal(160)).verdict == Verdict.VALID
    assert desk.check("SAVE10", None, Decimal(30)).verdict == Verdict.BELOW_MINIMUM
