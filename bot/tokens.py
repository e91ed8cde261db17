"""Customer identity tokens: the shop signs one for its logged-in customer, the gateway checks it.

A token is a JWT signed with HMAC-SHA256 and ``CUSTOMER_TOKEN_SECRET``:
``{"sub": <the shop's customer reference>, "aud": "shopsense-widget", "iat", "exp", "jti"}``.
It lives a few minutes. A token opens (or resumes) one conversation: presenting the same token for
another conversation before it expires is a replay and is refused, by every gateway that shares
the shop database and after a restart. ``jti`` is at most 64 characters.

Keys rotate (``CUSTOMER_TOKEN_SECRETS``): a token names its key in the JWT header (``kid``) and
is checked with that key alone; a token without a ``kid`` is checked with the key that has none.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import jwt

from insight.settings import TokenKey

AUDIENCE = "shopsense-widget"
ALGORITHM = "HS256"
DEFAULT_LIFETIME_S = 300
MAX_TOKEN_ID_CHARS = 64  # the replay guard stores each jti


class TokenRejected(ValueError):
    """The token cannot be trusted; ``reason`` says why (expired, invalid, replayed)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CustomerClaim:
    customer_ref: str
    token_id: str
    expires_at: float


class CustomerTokens:
    def __init__(
        self,
        keys: Sequence[TokenKey],
        lifetime_s: int = DEFAULT_LIFETIME_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``keys[0]`` signs; every key verifies the tokens that name it."""
        if not keys or not all(key.secret for key in keys):
            raise ValueError("a customer token secret is required")
        self._signing = keys[0]
        self._secrets = {key.kid: key.secret for key in keys}
        if len(self._secrets) < len(keys):
            raise ValueError("two customer token keys have the same kid")
        self._lifetime_s = lifetime_s
        self._clock = clock

    def issue(self, customer_ref: str) -> str:
        now = int(self._clock())
        claims = {
            "sub": customer_ref,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + self._lifetime_s,
            "jti": secrets.token_urlsafe(12),
        }
        kid = self._signing.kid
        headers = {"kid": kid} if kid is not None else None
        return jwt.encode(claims, self._signing.secret, algorithm=ALGORITHM, headers=headers)

    def verify(self, token: str) -> CustomerClaim:
        try:
            # PyJWT refuses a kid that is not a string. The header is signed too: a kid changed
            # to another known key fails that key's signature.
            secret = self._secrets.get(jwt.get_unverified_header(token).get("kid"))
            if secret is None:
                raise TokenRejected("unknown key")
            claims = jwt.decode(
                token,
                secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                options={"require": ["sub", "exp", "iat", "jti"], "verify_exp": False},
            )
        except jwt.PyJWTError as error:
            raise TokenRejected("invalid") from error
        # Expiry is checked against our clock (injectable in tests), with no leeway.
        if not isinstance(claims["exp"], int | float) or claims["exp"] <= self._clock():
            raise TokenRejected("expired")
        if not isinstance(claims["sub"], str) or not isinstance(claims["jti"], str):
            raise TokenRejected("invalid")
        if len(claims["jti"]) > MAX_TOKEN_ID_CHARS:
            raise TokenRejected("invalid")
        return CustomerClaim(
            customer_ref=claims["sub"], token_id=claims["jti"], expires_at=float(claims["exp"])
        )


class TokenUses(Protocol):
    def first_use_of_token(
        self, token_id: str, conversation_id: str, expires_at: datetime
    ) -> str: ...


class ReplayGuard:
    """Holds each unexpired token to the conversation it opened first.

    The uses are kept in the shop database (``insight.conversations``), so a token copied from a
    shopper's page cannot open a second conversation after a gateway restart or on another
    gateway.
    """

    def __init__(self, uses: TokenUses) -> None:
        self._uses = uses

    def claim(self, claim: CustomerClaim, conversation_id: str) -> None:
        expires_at = datetime.fromtimestamp(claim.expires_at, UTC).replace(tzinfo=None)
        first = self._uses.first_use_of_token(claim.token_id, conversation_id, expires_at)
        if first != conversation_id:
            raise TokenRejected("replayed")
