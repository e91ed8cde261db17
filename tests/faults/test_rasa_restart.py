"""Every Rasa server goes down in the middle of a conversation and one comes back: the gateway
tells the shopper once, keeps what was typed, delivers it in order when Rasa answers again, and
the conversation carries on with its history from the SQL tracker store."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.switchboard import UNAVAILABLE_REPLY
from tests.faults.conftest import PERSONAL, FaultStack
from tests.faults.shopper import Shopper, Turn

pytestmark = [pytest.mark.live, pytest.mark.slow]

HELD = ("what do you sell?", f"thanks, my email is {PERSONAL[0]}")


def test_a_rasa_restart_loses_nothing_typed_and_keeps_the_conversation(
    faults: FaultStack,
) -> None:
    faults.ensure_up()
    stack = faults.stack

    async def scenario() -> tuple[Turn, list[Turn], list[str], str]:
        async with Shopper(stack, ip=7300) as ada:
            before = await ada.say("hi")
            await asyncio.to_thread(stack.stop, tuple(stack.config.rasa_ports))
            during = [await ada.say(line) for line in HELD]
            await asyncio.to_thread(stack.start, 420.0, ("rasa",))
            answered = await ada.wait_for_answers(HELD[-1], len(HELD))
            return before, during, answered, str(ada.session["conversation_id"])

    before, during, answered, conversation = asyncio.run(scenario())
    tracker = httpx.get(
        f"{stack.config.rasa_url}/conversations/{conversation}/tracker",
        params={"token": stack.config.rasa_api_token},
        timeout=60,
    ).json()
    typed = [e.get("text") for e in tracker["events"] if e["event"] == "user"]

    assert before.said, "the positive control: answered before the restart"
    assert [turn.said for turn in during] == [[UNAVAILABLE_REPLY], []]  # told once
    assert len(answered) >= 2 and UNAVAILABLE_REPLY not in answered
    assert typed[-3:] == ["hi", *HELD]  # the history survived; nothing typed was lost
    assert faults.personal_data_in_logs() == []
