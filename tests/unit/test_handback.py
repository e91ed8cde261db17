from __future__ import annotations

from dataclasses import dataclass

from bot.emotion_signal import RepeatedNegativeEmotion
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


@dataclass(frozen=True)
class Reading:
    label: str
    confidence: float


def test_two_angry_or_frustrated_messages_of_the_last_three_escalate() -> None:
    rule = RepeatedNegativeEmotion()

    assert rule.check([Reading("frustration", 0.9)]) is None
    assert rule.check([Reading("anger", 0.9), Reading("neutral", 0.8), Reading("anger", 0.7)])
    assert (
        rule.check(
            [
                Reading("anger", 0.9),
                Reading("neutral", 0.8),
                Reading("neutral", 0.7),
                Reading("frustration", 0.9),
            ]
        )
        is None
    )
    assert rule.check([Reading("anger", 0.5), Reading("anger", 0.5)]) is None  # not confident
    assert rule.check([Reading("sadness", 0.9), Reading("sadness", 0.9)]) is None
