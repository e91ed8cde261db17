"""What the gateway accepts: text hygiene, token-bucket rate limits and the request size cap."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from bot.guards import MAX_BODY_BYTES, BodyLimit, RateLimiter, RateLimits, clean_text, client_ip


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("hi\x00there", "hithere"),
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),
        ("bell\x07 and C1\x85\x9b", "bell and C1"),
        ("hello \udfff world", "hello \ufffd world"),
        ("\u202eredro ym si erehw", "redro ym si erehw"),
        ("\u2066isolated\u2069", "isolated"),
        ("  line one\nline two\t!  ", "line one\nline two\t!"),
        (
            "\u0623\u064a\u0646 \u0637\u0644\u0628\u064a\u061f",
            "\u0623\u064a\u0646 \u0637\u0644\u0628\u064a\u061f",
        ),
        (
            "\U0001f468\u200d\U0001f469\u200d\U0001f467",
            "\U0001f468\u200d\U0001f469\u200d\U0001f467",
        ),
        ("card 4111 1111 1111 1111 please", "card [card ending 1111] please"),
        ("order SS-100001", "order SS-100001"),
    ],
)
def test_shopper_text_is_cleaned_before_it_is_stored_or_forwarded(typed: str, kept: str) -> None:
    assert clean_text(typed) == kept


def test_cleaned_text_always_encodes_as_utf8() -> None:
    assert clean_text("\ud800\udc80 caf\udce9").encode("utf-8")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_refills_at_its_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(burst=3, per_s=1.0, clock=clock)

    first = [limiter.allow("ip") for _ in range(4)]
    clock.now += 1.0
    after_a_second = [limiter.allow("ip") for _ in range(2)]
    other = limiter.allow("other-ip")

    assert first == [True, True, True, False]
    assert after_a_second == [True, False]
    assert other is True


def test_idle_buckets_are_forgotten_when_too_many_keys_are_tracked() -> None:
    clock = Clock()
    limiter = RateLimiter(burst=2, per_s=1.0, clock=clock, max_keys=3)
    for key in ("a", "b", "c"):
        limiter.allow(key)
    clock.now += 10

    limiter.allow("d")

    assert limiter.tracked() == 1


def test_an_event_needs_both_the_connection_and_the_ip_budget() -> None:
    clock = Clock()
    limits = RateLimits(
        per_connection=RateLimiter(5, 0.1, clock),
        per_ip=RateLimiter(3, 0.1, clock),
        logins=RateLimiter(1, 0.1, clock),
    )

    from_one_ip = [limits.allow_event(f"sid-{n}", "203.0.113.9") for n in range(4)]
    one_connection = [limits.allow_event("sid-x", f"198.51.100.{n}") for n in range(6)]

    assert from_one_ip == [True, True, True, False]
    assert one_connection == [True] * 5 + [False]


def test_the_client_address_comes_from_the_asgi_scope_even_inside_a_socket_environ() -> None:
    environ = {"REMOTE_ADDR": "127.0.0.1", "asgi.scope": {"client": ("203.0.113.9", 5000)}}

    assert client_ip(environ) == "203.0.113.9"
    assert client_ip({"client": ("198.51.100.7", 5000)}) == "198.51.100.7"
    assert client_ip({}) == "unknown"


@pytest.fixture
def echo() -> TestClient:
    app = FastAPI()

    @app.post("/echo")
    async def read(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    app.add_middleware(BodyLimit, limit=1000)
    return TestClient(app)


def test_bodies_over_the_limit_are_refused_with_413_declared_or_streamed(echo: TestClient) -> None:
    def chunks() -> object:
        yield b"x" * 600
        yield b"x" * 600

    small = echo.post("/echo", content=b"x" * 1000)
    declared = echo.post("/echo", content=b"x" * 1001)
    streamed = echo.post("/echo", content=chunks())  # type: ignore[arg-type]
    bad_length = echo.post("/echo", content=b"x", headers={"content-length": "nope"})

    assert small.json() == {"bytes": 1000}
    assert declared.status_code == streamed.status_code == 413
    assert declared.json() == {"detail": "request body too large"}
    assert bad_length.status_code in (400, 413)


def test_the_default_body_limit_leaves_room_for_the_longest_message() -> None:
    assert MAX_BODY_BYTES > 4 * 2000 + 200  # 2,000 characters of 4-byte UTF-8 plus the JSON
