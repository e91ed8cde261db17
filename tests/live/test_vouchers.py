"""Vouchers and retention codes through the real Rasa server and action server (REST channel,
the verified customer id in the metadata as the gateway sends it), over the support shop and its
seeded codes; the stack's clock is the factories' ``TODAY``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.stack import Stack
from insight.db.engine import make_engine, make_sessionmaker
from insight.db.models import Voucher
from tests.factories import SupportShopFixture, profile_row
from tests.live.test_conversations import Shopper

pytestmark = [pytest.mark.live, pytest.mark.slow]


@pytest.fixture(scope="module")
def sessions(live_shop_url: tuple[str, SupportShopFixture]) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(live_shop_url[0])
    yield make_sessionmaker(engine)
    engine.dispose()


def test_an_expired_code_is_explained_with_its_date(
    live_stack: Stack, live_shop_url: tuple[str, SupportShopFixture]
) -> None:
    ada = Shopper(live_stack, live_shop_url[1].small.ada_id)

    answer = ada.text("my code SUMMER20 won't apply to my basket")

    assert "SUMMER20 expired on Thu 1 Oct" in answer


def test_the_minimum_is_measured_against_the_shoppers_pending_order(
    live_stack: Stack, live_shop_url: tuple[str, SupportShopFixture]
) -> None:
    ben = Shopper(live_stack, live_shop_url[1].small.ben_id)

    answer = ben.text("why doesnt WELCOME15 work")

    assert "at least €150.00" in answer and "€99.90" in answer


def test_a_guest_is_asked_for_the_code_and_never_told_whose_it_is(live_stack: Stack) -> None:
    guest = Shopper(live_stack)

    question = guest.text("my discount code is not working")
    answer = guest.text("BENVIP20")

    assert "Which code is it?" in question
    assert "BENVIP20 is a personal code, and it isn't valid for your account." in answer
    assert "Ben" not in answer.replace("BENVIP20", "")


def test_a_valuable_customer_at_risk_gets_one_code_when_they_complain(
    live_stack: Stack,
    live_shop_url: tuple[str, SupportShopFixture],
    sessions: sessionmaker[Session],
) -> None:
    cleo_id = live_shop_url[1].cleo_id
    with sessions.begin() as session:
        session.add(profile_row(cleo_id, churn_risk=0.9, spent=1800.0))
    cleo = Shopper(live_stack, cleo_id)

    first = cleo.text("your service is terrible")
    second = Shopper(live_stack, cleo_id).text("your service is terrible")

    with sessions() as session:
        codes = session.scalars(
            select(Voucher.code).where(
                Voucher.customer_id == cleo_id, Voucher.reason == "retention"
            )
        ).all()
    assert len(codes) == 1
    assert f"here's a personal code for your next order: {codes[0]} takes 10% off" in first
    assert codes[0] not in second and "Would you like me to connect you" in second
