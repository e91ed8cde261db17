"""Customer identity tokens: only the shop's signature, unexpired, once per conversation; keys
rotate with an overlap window."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from bot.tokens import AUDIENCE, CustomerTokens, TokenRejected
from insight.settings import TokenKey

SECRET = "shop-secret-long-enough-for-hmac-sha256"
NEW_SECRET = "the-shops-next-secret-long-enough-for-hmac"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_a_fresh_token_names_the_customer() -> None:
    tokens = CustomerTokens([TokenKey(SECRET)])

    claim = tokens.verify(tokens.issue("C-ADA"))

    assert claim.customer_ref == "C-ADA"
    assert claim.token_id


def test_an_expired_token_is_rejected() -> None:
    clock = Clock()
    tokens = CustomerTokens([TokenKey(SECRET)], lifetime_s=60, clock=clock)
    token = tokens.issue("C-ADA")

    clock.now += 61

    with pytest.raises(TokenRejected) as rejected:
        tokens.verify(token)
    assert rejected.value.reason == "expired"


def test_a_token_signed_with_another_secret_is_rejected() -> None:
    token = CustomerTokens([TokenKey("another-secret-also-long-enough-for-hs256")]).issue("C-ADA")

    with pytest.raises(TokenRejected) as rejected:
        CustomerTokens([TokenKey(SECRET)]).verify(token)
    assert rejected.value.reason == "invalid"


def test_a_token_whose_customer_was_changed_is_rejected() -> None:
    header, payload, signature = CustomerTokens([TokenKey(SECRET)]).issue("C-ADA").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "C-BEN"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    with pytest.raises(TokenRejected):
        CustomerTokens([TokenKey(SECRET)]).verify(f"{header}.{forged_payload}.{signature}")


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
        jwt.encode(
            {"sub": "C-ADA", "aud": AUDIENCE, "exp": 2**40, "iat": 1, "jti": "x" * 65}, SECRET
        ),
    ],
    ids=[
        "empty",
        "garbage",
        "alg-none",
        "wrong-audience",
        "no-jti",
        "no-expiry",
        "sub-not-string",
        "jti-too-long-to-remember",
    ],
)
def test_malformed_or_unsigned_tokens_are_rejected(token: str) -> None:
    with pytest.raises(TokenRejected):
        CustomerTokens([TokenKey(SECRET)]).verify(token)


@pytest.mark.parametrize(
    "keys",
    [[], [TokenKey("")], [TokenKey(SECRET, "k1"), TokenKey(NEW_SECRET, "k1")]],
    ids=["no-key", "empty-secret", "same-kid-twice"],
)
def test_a_key_ring_without_one_usable_key_per_kid_is_refused(keys: list[TokenKey]) -> None:
    with pytest.raises(ValueError):
        CustomerTokens(keys)


OLD, NEW = TokenKey(SECRET, "k1"), TokenKey(NEW_SECRET, "k2")


def _header(token: str) -> dict[str, object]:
    return dict(jwt.get_unverified_header(token))


def _with_header(token: str, **changes: object) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(header + "=="))
    forged = base64.urlsafe_b64encode(json.dumps(claims | changes).encode()).rstrip(b"=")
    return f"{forged.decode()}.{payload}.{signature}"


def test_the_first_key_of_a_ring_signs_and_names_itself() -> None:
    token = CustomerTokens([NEW, OLD]).issue("C-ADA")

    assert _header(token)["kid"] == "k2"
    assert CustomerTokens([NEW]).verify(token).customer_ref == "C-ADA"
    with pytest.raises(TokenRejected):
        CustomerTokens([OLD]).verify(token)


def test_a_token_of_the_old_key_verifies_during_rotation_and_not_after() -> None:
    token = CustomerTokens([OLD]).issue("C-ADA")

    assert CustomerTokens([NEW, OLD]).verify(token).customer_ref == "C-ADA"
    with pytest.raises(TokenRejected) as rejected:
        CustomerTokens([NEW]).verify(token)
    assert rejected.value.reason == "unknown key"


def test_a_token_from_before_key_ids_verifies_with_the_key_that_has_none() -> None:
    """The first rotation: tokens signed with a single ``CUSTOMER_TOKEN_SECRET`` carry no kid."""
    token = CustomerTokens([TokenKey(SECRET)]).issue("C-ADA")
    assert "kid" not in _header(token)

    assert CustomerTokens([NEW, TokenKey(SECRET)]).verify(token).customer_ref == "C-ADA"
    with pytest.raises(TokenRejected) as rejected:
        CustomerTokens([NEW, OLD]).verify(token)
    assert rejected.value.reason == "unknown key"


@pytest.mark.parametrize(
    ("kid", "reason"),
    [("k9", "unknown key"), (7, "invalid"), (["k1"], "invalid")],
    ids=["unknown", "number", "list"],
)
def test_a_token_naming_no_key_of_the_ring_is_refused(kid: object, reason: str) -> None:
    token = CustomerTokens([TokenKey("a-key-the-gateway-never-had-long-enough", "k9")]).issue("C")

    with pytest.raises(TokenRejected) as rejected:
        CustomerTokens([NEW, OLD]).verify(_with_header(token, kid=kid))
    assert rejected.value.reason == reason


def test_a_token_whose_kid_was_changed_to_another_key_is_refused() -> None:
    token = CustomerTokens([OLD]).issue("C-ADA")

    with pytest.raises(TokenRejected) as rejected:
        CustomerTokens([NEW, OLD]).verify(_with_header(token, kid="k2"))
    assert rejected.value.reason == "invalid"


def test_a_token_signed_with_another_secret_under_a_known_kid_is_refused() -> None:
    token = CustomerTokens([TokenKey("an-attackers-secret-long-enough-for-hs256", "k2")]).issue("C")

    with pytest.raises(TokenRejected) as rejected:
        CustomerTokens([NEW, OLD]).verify(token)
    assert rejected.value.reason == "invalid"
