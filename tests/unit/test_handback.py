from __future__ import annotations

from bot.handback import INTENTS, Handback, HandbackTask


def test_every_task_has_an_external_intent() -> None:
    assert set(INTENTS) == set(HandbackTask)
    assert all(intent.startswith("EXTERNAL_") for intent in INTENTS.values())


def test_a_task_passes_only_its_own_entities() -> None:
    handback = Handback(
        HandbackTask.SEND_SUGGESTIONS,
        "  likes quiet headphones ",
        {"category": "Headphones", "order_number": "SS-1", "budget": " "},
    )

    assert handback.trigger("Alice") == (
        "EXTERNAL_send_suggestions",
        {
            "agent_name": "Alice",
            "handback_summary": "likes quiet headphones",
            "category": "Headphones",
        },
    )
