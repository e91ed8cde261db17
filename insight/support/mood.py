"""The tone of the assistant's replies to the shopper's latest message.

Only the tone is decided here: apologetic variants of the replies (``tone: upset`` in
``domain.yml``) for a message that is confidently angry or frustrated, the same reading that
counts towards a sustained escalation. Whether the shopper's mood calls for a person is
``insight.emotion.EscalationRule``'s decision alone, which the gateway applies over the readings
it stored and acts on by queueing the conversation; the assistant does not keep a second rule.
"""

from __future__ import annotations

from typing import Literal

from insight.emotion.base import Emotion
from insight.emotion.trajectory import EscalationRule

Tone = Literal["upset", "calm"]


def tone(emotion: Emotion, rule: EscalationRule | None = None) -> Tone:
    return "upset" if (rule or EscalationRule()).hostile(emotion) else "calm"
