"""What the gateway accepts from the internet: how fast, how big and which characters.

* Rate limits: a token bucket per socket.io connection and one per client IP address (widget
  events, the HTTP message API and desk logins share the IP's budget). Behind a reverse proxy,
  run uvicorn with ``--proxy-headers --forwarded-allow-ips <proxy>`` so the IP is the shopper's.
* Size limits: request bodies over :data:`MAX_BODY_BYTES` are refused with 413 before the
  application reads them; socket.io frames are capped by engineio (``max_http_buffer_size``);
  messages over ``MAX_MESSAGE_CHARS`` characters are refused with a reason the shopper reads.
* Text hygiene: control characters, NUL, unpaired surrogates (invalid UTF-8) and bidirectional
  overrides are removed before anything is stored, forwarded or shown, and card numbers are
  reduced to their last four digits (``insight.redaction.mask_cards``).
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from insight.redaction import mask_cards

MAX_MESSAGE_CHARS = 2000
MAX_BODY_BYTES = 64 * 1024
MAX_SOCKET_FRAME_BYTES = 256 * 1024
DRAINED_BYTES = 16 * MAX_BODY_BYTES  # read past the limit before saying 413; larger: reset
TOO_FAST = "You're sending messages very quickly. Please wait a moment and try again."
TOO_LONG = f"That message is too long. Please keep it under {MAX_MESSAGE_CHARS:,} characters."

# Bidirectional embeddings, overrides and isolates can make text display differently from what
# it says (on the agent desk, say); right-to-left text itself needs none of them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
KEPT_CONTROLS = frozenset("\n\t")
REPLACEMENT = "\ufffd"  # stands in for an unpaired surrogate (bytes that were not UTF-8)


def clean_text(text: str) -> str:
    """``text`` safe to store and show: valid UTF-8, no control characters, no bidi overrides.

    Emoji (with their joiners), right-to-left scripts and ordinary whitespace are kept; line
    breaks are kept too. Card-like numbers are masked.
    """
    kept = "".join(
        REPLACEMENT if unicodedata.category(char) == "Cs" else char
        for char in text
        if char in KEPT_CONTROLS
        or (unicodedata.category(char) != "Cc" and char not in BIDI_CONTROLS)
    )
    return mask_cards(kept).strip()


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """Token buckets by key: ``burst`` requests at once, refilled at ``per_s`` a second.

    Full buckets are forgotten now and then, so memory follows the number of recent senders.
    """

    burst: int
    per_s: float
    clock: Callable[[], float] = time.monotonic
    max_keys: int = 100_000
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def allow(self, key: str) -> bool:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._forget_idle(now)
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.per_s)
        bucket.updated = now
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True

    def forget(self, key: str) -> None:
        self._buckets.pop(key, None)

    def _forget_idle(self, now: float) -> None:
        refill_s = self.burst / self.per_s
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < refill_s}

    def tracked(self) -> int:
        return len(self._buckets)


@dataclass(frozen=True)
class RateLimits:
    """The gateway's limiters; the defaults leave room for a fast typist, not for a script."""

    per_connection: RateLimiter
    per_ip: RateLimiter
    logins: RateLimiter

    @classmethod
    def from_rates(
        cls, connection: tuple[int, float], ip: tuple[int, float], logins: tuple[int, float]
    ) -> RateLimits:
        return cls(RateLimiter(*connection), RateLimiter(*ip), RateLimiter(*logins))

    def allow_event(self, connection: str, ip: str) -> bool:
        """One shopper event on ``connection`` from ``ip``: both budgets must allow it."""
        return self.per_connection.allow(connection) and self.per_ip.allow(ip)


def client_ip(environ_or_scope: MutableMapping[str, Any]) -> str:
    """The client address of an ASGI ``scope`` or of a socket.io ``environ`` (engineio's ASGI
    driver writes 127.0.0.1 into REMOTE_ADDR whoever connects: the scope inside it is right)."""
    scope = environ_or_scope.get("asgi.scope", environ_or_scope)
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


class _BodyTooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: HTTP request bodies over ``limit`` bytes get 413, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _drain(receive, DRAINED_BYTES)
            await _too_large(send)
            return
        received = 0
        started = finished = False

        async def limited_receive() -> Any:
            nonlocal received, finished
            message = await receive()
            if message.get("type") == "http.request":
                received += len(message.get("body", b""))
                finished = not message.get("more_body")
                if received > self.limit:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Any) -> None:
            nonlocal started
            started = started or message.get("type") == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                if not finished:
                    await _drain(receive, DRAINED_BYTES - received)
                await _too_large(send)


async def _drain(receive: Callable[[], Awaitable[Any]], budget: int) -> None:
    """Read (and drop) what the client is still sending, up to ``budget`` bytes: a response sent
    while the client is mid-upload reaches it as a reset connection instead of a 413."""
    while budget > 0:
        message = await receive()
        if message.get("type") != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body"):
            return


async def _too_large(send: Callable[[Any], Awaitable[None]]) -> None:
    body = b'{"detail":"request body too large"}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
