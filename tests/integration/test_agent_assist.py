"""Agent assist over a stored conversation and the small shop (tests/factories.py): the summary an
agent reads at hand-over and the replies it may start from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from insight.conversations import ConversationRecord, ConversationRepository, Escalation
from insight.customer_cards import CustomerCards
from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import upgrade
from insight.db.models import ConversationOwner
from insight.emotion.base import Emotion
from insight.faq.contracts import FaqHit
from insight.repositories.orders import OrderRepository
from insight.support.assist import HandoverAssist
from tests.factories import ShopFixture, build_small_shop

CARD: dict[str, Any] = {"custom": {"order": {"number": "SS-100001", "status": "shipped"}}}
NORWAY = FaqHit("non_eu_delivery", "Do you deliver to Norway?", "Yes, in 5–9 working days.", 0.8)


class OneAnswerFaq:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def search(self, query: str, k: int = 3) -> list[FaqHit]:
        self.asked.append(query)
        return [NORWAY][:k]


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[sessionmaker[Session], ShopFixture]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    yield sessions, build_small_shop(sessions)
    engine.dispose()


def _assist(sessions: sessionmaker[Session], faq: OneAnswerFaq | None = None) -> HandoverAssist:
    return HandoverAssist(
        ConversationRepository(sessions), CustomerCards(sessions), OrderRepository(sessions), faq
    )


def _conversation(
    sessions: sessionmaker[Session],
    customer_id: int | None,
    lines: list[tuple[str, str, dict[str, Any] | None, Emotion | None]],
    reason: str | None = None,
) -> ConversationRecord:
    conversations = ConversationRepository(sessions)
    record = conversations.open(f"c-{customer_id}-{len(lines)}", customer_id)
    for sender, text, payload, emotion in lines:
        conversations.add_message(record.id, sender, text, payload=payload, emotion=emotion)
    if reason is None:
        return record
    return conversations.change_owner(
        record.id,
        ConversationOwner.BOT,
        ConversationOwner.QUEUED,
        escalation=Escalation(reason=reason, source="assistant", priority=0.5),
    )


def test_a_signed_in_shopper_handed_over_gets_a_summary_and_her_orders_facts(
    shop: tuple[sessionmaker[Session], ShopFixture],
) -> None:
    sessions, fixture = shop
    conversation = _conversation(
        sessions,
        fixture.ada_id,
        [
            ("shopper", "where is my laptop SS-100001", None, Emotion("neutral", 0.8, 0.0)),
            ("bot", "Good news: order SS-100001 (Aero 14 Laptop) is on its way.", None, None),
            ("bot", "", CARD, None),
            (
                "shopper",
                "that's two days late, I need it for Monday",
                None,
                Emotion("frustration", 0.9, -0.6),
            ),
            ("shopper", "yes", None, Emotion("neutral", 0.7, 0.0)),
        ],
        reason="shopper_asked",
    )

    assist = _assist(sessions).for_conversation(conversation)

    summary = assist.summary
    assert summary.who.startswith("Ada Lovelace, signed in; customer since ")
    assert summary.wants == (
        "Latest request: “that's two days late, I need it for Monday”; "
        "handed over because the shopper asked for a person."
    )
    assert summary.tried[0] == "showed order SS-100001"
    assert "is on its way" in summary.tried[1]
    assert summary.mood == "neutral (70%); upset in 1 of 3 messages"
    assert [(r.kind, r.text) for r in assist.replies] == [
        (
            "order",
            "Order SS-100001 (Aero 14 Laptop) is on its way with DHL, tracking number DHL123456; "
            "it is expected on Sun 22 Nov.",
        )
    ]


def test_another_customers_order_typed_by_the_shopper_is_never_suggested(
    shop: tuple[sessionmaker[Session], ShopFixture],
) -> None:
    sessions, fixture = shop
    conversation = _conversation(
        sessions, fixture.ada_id, [("shopper", "what about order SS-100003 then", None, None)]
    )

    replies = _assist(sessions).for_conversation(conversation).replies

    # Ben's order is not Ada's: her own latest order stands in
    assert [r.label for r in replies] == ["Order SS-100002 (paid)"]
    assert "€199.80" in replies[0].text


def test_a_guests_question_gets_the_faq_answer_and_only_the_orders_the_assistant_showed(
    shop: tuple[sessionmaker[Session], ShopFixture],
) -> None:
    sessions, _ = shop
    faq = OneAnswerFaq()
    conversation = _conversation(
        sessions,
        None,
        [
            ("shopper", "is SS-100003 mine? also do you ship to Norway", None, None),
            ("bot", "What's the order number?", None, None),
            ("shopper", "do you send parcels to Norway", None, None),
        ],
    )

    assist = _assist(sessions, faq).for_conversation(conversation)

    assert assist.summary.who == "A guest (not signed in)"
    assert assist.summary.mood == "no reading yet"
    assert faq.asked == ["do you send parcels to Norway"]
    assert [(r.kind, r.label, r.text) for r in assist.replies] == [
        ("faq", "FAQ: Do you deliver to Norway?", "Yes, in 5–9 working days.")
    ]
