"""Agent desk sessions: after a password login the agent carries a signed, HttpOnly cookie.

The cookie is a JWT (HMAC-SHA256, ``DESK_SESSION_SECRET``) naming the agent, valid for one shift.
The desk's socket.io connection is authenticated by the same cookie.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from http.cookies import SimpleCookie

import jwt

COOKIE = "shopsense_desk"
AUDIENCE = "shopsense-desk"
SHIFT_S = 12 * 3600


class DeskSessions:
    def __init__(self, secret: str, clock: Callable[[], float] = time.time) -> None:
        if not secret:
            raise ValueError("a desk session secret is required")
        self._secret = secret
        self._clock = clock

    def issue(self, agent_id: int) -> str:
        now = int(self._clock())
        claims = {"sub": str(agent_id), "aud": AUDIENCE, "iat": now, "exp": now + SHIFT_S}
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def agent_id(self, cookie_value: str | None) -> int | None:
        """The agent the cookie names, or None when it is missing, forged or expired."""
        if not cookie_value:
            return None
        try:
            claims = jwt.decode(
                cookie_value,
                self._secret,
                algorithms=["HS256"],
                audience=AUDIENCE,
                options={"require": ["sub", "exp"], "verify_exp": False},
            )
        except jwt.PyJWTError:
            return None
        if claims["exp"] <= self._clock() or not str(claims["sub"]).isdigit():
            return None
        return int(claims["sub"])


def cookie_from_header(header: str | None) -> str | None:
    """The desk cookie's value from a raw ``Cookie`` header (socket.io handshakes)."""
    if not header:
        return None
    jar = SimpleCookie()
    jar.load(header)
    morsel = jar.get(COOKIE)
    return morsel.value if morsel else None
