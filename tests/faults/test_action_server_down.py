"""The action server dies in the middle of a conversation: the shopper hears a polite word from
the gateway, not silence, and once it is back the same conversation goes on."""

from __future__ import annotations

import asyncio

import pytest

from bot.switchboard import SILENT_REPLY
from tests.faults.conftest import PERSONAL, FaultStack
from tests.faults.shopper import Shopper

pytestmark = [pytest.mark.live, pytest.mark.slow]


def test_a_killed_action_server_gets_a_polite_reply_and_the_conversation_resumes(
    faults: FaultStack,
) -> None:
    faults.ensure_up()
    stack = faults.stack

    async def scenario() -> tuple[list[str], list[str], list[str], list[str]]:
        async with Shopper(stack, ip=7000) as ada:
            before = await ada.say("where is my order?")
            stack.kill("actions")
            during = await ada.say(f"my email is {PERSONAL[0]}, where is my order?")
            await asyncio.to_thread(stack.start, 240.0, ("actions",))
            after = await ada.say("where is my order?")
            return before.orders, during.said, after.orders, after.said

    before, during, after, after_said = asyncio.run(scenario())

    assert before, "the positive control: Ada's order card before the crash"
    assert SILENT_REPLY in during
    assert after, f"the conversation goes on after the restart: {after_said}"
    assert faults.personal_data_in_logs() == []
