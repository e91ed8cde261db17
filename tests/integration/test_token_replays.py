"""A customer token opens one conversation, whichever gateway sees it and however often the
gateways restart: its uses live in the shop database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.tokens import CustomerTokens, ReplayGuard, TokenRejected
from insight.conversations import ConversationRepository, utcnow
from insight.db.models import CustomerTokenUse
from insight.settings import TokenKey

SECRET = "shop-secret-long-enough-for-hmac-sha256"


def test_a_token_may_be_presented_again_for_its_own_conversation_only(
    sessions: sessionmaker[Session],
) -> None:
    tokens = CustomerTokens([TokenKey(SECRET)])
    guard = ReplayGuard(ConversationRepository(sessions))
    claim = tokens.verify(tokens.issue("C-ADA"))

    guard.claim(claim, "conversation-1")
    guard.claim(claim, "conversation-1")  # a reconnect of the same conversation

    with pytest.raises(TokenRejected) as rejected:
        guard.claim(claim, "conversation-2")
    assert rejected.value.reason == "replayed"


def test_a_token_refused_by_one_gateway_is_refused_by_every_gateway_on_the_database(
    sessions: sessionmaker[Session],
) -> None:
    """Before the uses were stored, each gateway (and each restart) remembered its own."""
    tokens = CustomerTokens([TokenKey(SECRET)])
    claim = tokens.verify(tokens.issue("C-ADA"))
    ReplayGuard(ConversationRepository(sessions)).claim(claim, "conversation-1")

    with pytest.raises(TokenRejected):
        ReplayGuard(ConversationRepository(sessions)).claim(claim, "conversation-2")


def test_uses_of_expired_tokens_are_forgotten(sessions: sessionmaker[Session]) -> None:
    """The table stays as small as the tokens of the last few minutes: an expired token is
    refused by ``verify`` anyway."""
    conversations = ConversationRepository(sessions)
    conversations.first_use_of_token("old", "conversation-1", utcnow() - timedelta(seconds=1))

    first = conversations.first_use_of_token(
        "new", "conversation-2", utcnow() + timedelta(minutes=5)
    )

    with sessions() as session:
        kept = session.scalars(select(CustomerTokenUse.token_id)).all()
    assert first == "conversation-2"
    assert kept == ["new"]
