"""Emotion and polarity of shopper messages, and when a conversation should escalate.

``EmotionDetector`` is the contract; ``TransformerEmotionDetector`` is the fine-tuned MiniLM
(built by ``python -m insight build emotion``), ``KeywordEmotionDetector`` the fake for tests.
Importing this package loads no model and imports no torch.
"""

from insight.emotion.base import (
    LABELS,
    Emotion,
    EmotionDetector,
    EmotionLabel,
    KeywordEmotionDetector,
)
from insight.emotion.trajectory import (
    EmotionTrajectory,
    Escalation,
    EscalationReason,
    EscalationRule,
)

__all__ = [
    "LABELS",
    "Emotion",
    "EmotionDetector",
    "EmotionLabel",
    "EmotionTrajectory",
    "Escalation",
    "EscalationReason",
    "EscalationRule",
    "KeywordEmotionDetector",
]
