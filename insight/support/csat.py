"""Customer-satisfaction answers (1–5 and an optional comment) at the end of a conversation."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import CsatResponse

MIN_SCORE, MAX_SCORE = 1, 5
MAX_COMMENT_CHARS = 2000
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_SCORE = re.compile(r"(?<![\d.])([1-5])(?:\s*(?:/|out of)\s*5)?(?![\d.])")


def parse_score(text: str) -> int | None:
    """The score in "5", "4/5", "three stars", "I'd say 4 out of 5"; ``None`` if there is none."""
    lowered = text.lower()
    digits = {int(match) for match in _SCORE.findall(lowered)}
    words = {value for word, value in _WORDS.items() if re.search(rf"\b{word}\b", lowered)}
    found = digits | words
    return found.pop() if len(found) == 1 else None


class CsatStore:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._clock = clock

    def record(
        self, conversation_id: str, customer_id: int | None, score: int, comment: str | None
    ) -> int:
        """Store one answer and return its id; the score must be 1–5."""
        if not MIN_SCORE <= score <= MAX_SCORE:
            raise ValueError(f"a CSAT score is {MIN_SCORE}–{MAX_SCORE}, not {score}")
        text = " ".join(comment.split())[:MAX_COMMENT_CHARS] if comment else None
        with self._sessions.begin() as session:
            response = CsatResponse(
                conversation_id=conversation_id[:64],
                customer_id=customer_id,
                score=score,
                comment=text or None,
                created_at=self._clock(),
            )
            session.add(response)
            session.flush()
            return response.id
