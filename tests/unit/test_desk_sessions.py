from __future__ import annotations

import time
from datetime import UTC, datetime

import jwt

from bot.desk_auth import AUDIENCE, COOKIE, SHIFT_S, DeskSessions, cookie_from_header
from tests.gateway_fakes import DESK_SECRET, MemoryRevocations

SECRET = DESK_SECRET


def test_a_session_cookie_names_its_agent_for_one_shift() -> None:
    now = [time.time()]
    sessions = DeskSessions(SECRET, MemoryRevocations(), clock=lambda: now[0])
    cookie = sessions.issue(7)

    assert sessions.agent_id(cookie) == 7
    now[0] += SHIFT_S + 1
    assert sessions.agent_id(cookie) is None


def test_forged_missing_or_foreign_cookies_name_no_one() -> None:
    sessions = DeskSessions(SECRET, MemoryRevocations())

    assert sessions.agent_id(None) is None
    assert sessions.agent_id("garbage") is None
    assert (
        sessions.agent_id(
            DeskSessions("other-secret-long-enough-for-hmac-sha", MemoryRevocations()).issue(7)
        )
        is None
    )
    customer_like = jwt.encode({"sub": "7", "aud": "shopsense-widget", "exp": 2**40}, SECRET)
    assert sessions.agent_id(customer_like) is None
    assert (
        sessions.agent_id(jwt.encode({"sub": "x", "aud": AUDIENCE, "exp": 2**40}, SECRET)) is None
    )


def test_a_logged_out_session_names_no_one_until_it_would_have_expired() -> None:
    revocations, now = MemoryRevocations(), int(time.time())
    sessions = DeskSessions(SECRET, revocations, clock=lambda: now)
    cookie, other_login = sessions.issue(7), sessions.issue(7)

    sessions.revoke(cookie)
    sessions.revoke("garbage")  # nothing to revoke: no error, nothing stored

    assert sessions.agent_id(cookie) is None
    assert sessions.agent_id(other_login) == 7  # the agent's other sessions go on
    until = datetime.fromtimestamp(now + SHIFT_S, UTC).replace(tzinfo=None)
    assert list(revocations.revoked.values()) == [until]


def test_a_cookie_without_a_session_id_cannot_be_logged_out_of_so_it_names_no_one() -> None:
    no_jti = jwt.encode({"sub": "7", "aud": AUDIENCE, "exp": 2**40}, SECRET)

    assert DeskSessions(SECRET, MemoryRevocations()).agent_id(no_jti) is None


def test_the_cookie_is_read_from_a_raw_header() -> None:
    assert cookie_from_header(f"a=1; {COOKIE}=abc.def; b=2") == "abc.def"
    assert cookie_from_header("a=1") is None
    assert cookie_from_header(None) is None
