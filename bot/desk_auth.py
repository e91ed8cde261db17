"""Agent desk sessions: after a password login the agent carries a signed, HttpOnly cookie.

The cookie is a JWT (HMAC-SHA256, ``DESK_SESSION_SECRET``) naming the agent and the session
(``jti``), valid for one shift. The desk's socket.io connection is authenticated by the same
cookie.

Logging out revokes the session in the shop database until the cookie would have expired
(``insight.agents``, table ``desk_session_revocations``), so a copy of the cookie stops working
too, on every gateway. Only logouts write there and every check reads one row by key: smaller
than keeping every session server-side, and the cookie stays the whole session. The desk sockets
that connected with the session are closed at logout as well (``bot.sockets``).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from typing import Any, Protocol

import jwt

COOKIE = "shopsense_desk"
AUDIENCE = "shopsense-desk"
SHIFT_S = 12 * 3600
MAX_SESSION_ID_CHARS = 64  # the revocations store each jti


@dataclass(frozen=True)
class DeskSession:
    agent_id: int
    session_id: str  # the cookie's jti


class Revocations(Protocol):
    """Where logged-out sessions are kept (``insight.agents.AgentRepository``)."""

    def revoke_session(self, session_id: str, expires_at: datetime) -> None: ...

    def session_revoked(self, session_id: str) -> bool: ...


class DeskSessions:
    def __init__(
        self, secret: str, revocations: Revocations, clock: Callable[[], float] = time.time
    ) -> None:
        if not secret:
            raise ValueError("a desk session secret is required")
        self._secret = secret
        self._revocations = revocations
        self._clock = clock

    def issue(self, agent_id: int) -> str:
        now = int(self._clock())
        claims = {
            "sub": str(agent_id),
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + SHIFT_S,
            "jti": secrets.token_urlsafe(16),
        }
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def session(self, cookie_value: str | None) -> DeskSession | None:
        """The session the cookie carries, or None when it is missing, forged, expired or logged
        out of."""
        claims = self._claims(cookie_value)
        if claims is None or self._revocations.session_revoked(claims["jti"]):
            return None
        return DeskSession(agent_id=int(claims["sub"]), session_id=claims["jti"])

    def agent_id(self, cookie_value: str | None) -> int | None:
        """The agent the cookie names (see :meth:`session`)."""
        session = self.session(cookie_value)
        return session.agent_id if session else None

    def revoke(self, cookie_value: str | None) -> str | None:
        """Log out of the cookie's session: it and every copy of it name no one from now on.
        Returns the session's id, None when the cookie carries no session."""
        claims = self._claims(cookie_value)
        if claims is None:
            return None
        expires_at = datetime.fromtimestamp(claims["exp"], UTC).replace(tzinfo=None)
        self._revocations.revoke_session(claims["jti"], expires_at)
        session_id: str = claims["jti"]
        return session_id

    def _claims(self, cookie_value: str | None) -> dict[str, Any] | None:
        """The claims of a cookie we signed that has not expired, else None."""
        if not cookie_value:
            return None
        try:
            claims: dict[str, Any] = jwt.decode(
                cookie_value,
                self._secret,
                algorithms=["HS256"],
                audience=AUDIENCE,
                options={"require": ["sub", "exp", "jti"], "verify_exp": False},
            )
        except jwt.PyJWTError:
            return None
        if not isinstance(claims["exp"], int | float) or claims["exp"] <= self._clock():
            return None
        if not str(claims["sub"]).isdigit():
            return None
        jti = claims["jti"]
        if not isinstance(jti, str) or not jti or len(jti) > MAX_SESSION_ID_CHARS:
            return None
        return claims


def cookie_from_header(header: str | None) -> str | None:
    """The desk cookie's value from a raw ``Cookie`` header (socket.io handshakes)."""
    if not header:
        return None
    jar = SimpleCookie()
    jar.load(header)
    morsel = jar.get(COOKIE)
    return morsel.value if morsel else None
