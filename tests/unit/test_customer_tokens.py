"""Customer identity tokens: only the shop's signature, unexpired, once per conversation."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from bot.tokens import AUDIENCE, CustomerTokens, ReplayGuard, TokenRejected

SECRET = "shop-secret-long-enough-for-hmac-sha256"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_a_fresh_token_names_the_customer() -> None:
    tokens = CustomerTokens(SECRET)

    claim = tokens.verify(tokens.issue("C-ADA"))

    assert claim.customer_ref == "C-ADA"
    assert claim.token_id


def test_an_expired_token_is_rejected() -> None:
    clock = Clock()
    tokens = CustomerTokens(SECRET, lifetime_s=60, clock=clock)
    token = tokens.issue("C-ADA")

    clock.now += 61

    with pytest.raises(TokenRejected) as rejected:
        tokens.verify(token)
    assert rejected.value.reason == "expired"


def test_a_token_signed_with_another_secret_is_rejected() -> None:
    token = CustomerTokens("another-secret-also-long-enough-for-hs256").issue("C-ADA")

    with pytest.raises(TokenRejected) as rejected:
        CustomerTokens(SECRET).verify(token)
    assert rejected.value.reason == "invalid"


def test_a_token_whose_customer_was_changed_is_rejected() -> None:
    header, payload, signature = CustomerTokens(SECRET).issue("C-ADA").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "C-BEN"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    with pytest.raises(TokenRejected):
        CustomerTokens(SECRET).verify(f"{header}.{forged_payload}.{signature}")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-jwt",
        jwt.encode(
            {"sub": "C-ADA", "aud": AUDIENCE, "exp": 2**40, "iat": 1, "jti": "x"}, None, "none"
        ),
        jwt.encode(
            {"sub": "C-ADA", "aud": "someone-else", "exp": 2**40, "iat": 1, "jti": "x"}, SECRET
        ),
        jwt.encode({"sub": "C-ADA", "aud": AUDIENCE, "exp": 2**40, "iat": 1}, SECRET),
        jwt.encode({"sub": "C-ADA", "aud": AUDIENCE, "iat": 1, "jti": "x"}, SECRET),
        jwt.encode({"sub": 7, "aud": AUDIENCE, "exp": 2**40, "iat": 1, "jti": "x"}, SECRET),
    ],
    ids=["empty", "garbage", "alg-none", "wrong-audience", "no-jti", "no-expiry", "sub-not-string"],
)
def test_malformed_or_unsigned_tokens_are_rejected(token: str) -> None:
    with pytest.raises(TokenRejected):
        CustomerTokens(SECRET).verify(token)


def test_a_token_may_be_presented_again_for_its_own_conversation_only() -> None:
    tokens, guard = CustomerTokens(SECRET), ReplayGuard()
    claim = tokens.verify(tokens.issue("C-ADA"))

    guard.claim(claim, "conversation-1")
    guard.claim(claim, "conversation-1")  # a reconnect of the same conversation

    with pytest.raises(TokenRejected) as rejected:
        guard.claim(claim, "conversation-2")
    assert rejected.value.reason == "replayed"


def test_the_replay_guard_forgets_tokens_once_they_expired() -> None:
    """Its memory stays bounded: an expired token is refused by ``verify`` anyway."""
    clock = Clock()
    tokens, guard = CustomerTokens(SECRET, lifetime_s=60, clock=clock), ReplayGuard(clock)
    claim = tokens.verify(tokens.issue("C-ADA"))
    guard.claim(claim, "conversation-1")

    clock.now += 120

    guard.claim(claim, "conversation-2")  # forgotten: no longer a replay to the guard


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        CustomerTokens("")
