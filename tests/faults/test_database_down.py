"""The shop database goes away (PostgreSQL stops accepting connections and the database is
renamed) in the middle of a conversation: the shopper is told clearly, the desk answers 503,
and what was typed meanwhile is stored and answered, in order, once the database is back."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bot.switchboard import DATABASE_DOWN_REPLY
from tests.faults.conftest import AGENT, PERSONAL, FaultStack
from tests.faults.shopper import Shopper, Turn

pytestmark = [pytest.mark.live, pytest.mark.slow]

TYPED = ("where is my order?", f"you can reach me on {PERSONAL[1]}")


@dataclass
class Seen:
    before: Turn
    during: list[Turn]
    desk_status: int
    guest_reply: dict[str, Any]
    transcript: list[tuple[str, str]]


async def _outage(faults: FaultStack) -> Seen:
    desk = httpx.AsyncClient(base_url=faults.stack.config.gateway_url, timeout=60)
    login = {"username": AGENT[0], "password": AGENT[1]}
    async with desk, Shopper(faults.stack, ip=7100) as ada:
        assert (await desk.post("/api/desk/login", json=login)).status_code == 200
        before = await ada.say("hello")
        faults.take_database_away()
        try:
            during = [await ada.say(line) for line in TYPED]
            queue = await desk.get("/api/desk/queue")
            guest = await desk.post(
                "/api/messages", json={"sender_id": "fault-guest", "text": "hi"}
            )
        finally:
            faults.bring_database_back()
        await ada.wait_for_answers(TYPED[-1], len(TYPED))
        reloaded = await ada.widget.hello(conversation_id=ada.session["conversation_id"])
        return Seen(
            before=before,
            during=during,
            desk_status=queue.status_code,
            guest_reply=guest.json(),
            transcript=[(m["sender"], m["text"]) for m in reloaded["messages"]],
        )


def test_messages_typed_while_the_database_is_away_are_kept_and_answered_when_it_is_back(
    faults: FaultStack,
) -> None:
    faults.ensure_up()

    seen = asyncio.run(_outage(faults))

    assert seen.before.said, "the positive control: answered before the outage"
    assert [turn.ack["ok"] for turn in seen.during] == [True, True]
    assert [turn.said for turn in seen.during] == [[DATABASE_DOWN_REPLY], []]  # told once
    assert seen.desk_status == 503
    assert [m["text"] for m in seen.guest_reply["messages"]] == [DATABASE_DOWN_REPLY]
    assert [text for sender, text in seen.transcript if sender == "shopper"][-2:] == list(TYPED)
    assert seen.transcript[-1][0] == "bot", "answered once the database was back"
    assert faults.personal_data_in_logs() == []
