"""Support analytics for the shop owner: how much the assistant resolves and where people step in.

Read from the conversations the gateway stores (owner, escalation, every message with its
emotion reading) and the CSAT answers, for conversations started in ``[since, until)``:

- containment: the share of conversations the assistant kept (none was handed to a person),
  per day;
- hand-overs by reason (the assistant's, the emotion signal's, the shopper's button);
- CSAT: the 1–5 distribution and the mean per week;
- median first-response time (shopper's first message → the first answer) and median duration
  (first → last message) of the conversations;
- the questions the assistant could not answer (its reply was a "could you rephrase" or "I'm not
  sure"), clustered by wording, biggest first: the FAQ's gaps;
- the mix of emotions over all shopper messages;
- how many retention codes the assistant issued (``insight.support.retention``).
"""

from __future__ import annotations

import csv
import io
import itertools
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import Conversation, ConversationMessage, CsatResponse
from insight.settings import PROJECT_ROOT
from insight.support.retention import retention_offers_between

# The assistant's replies that mean it did not understand or had no answer (domain.yml).
UNSURE_RESPONSES = ("utter_default", "utter_still_unsure", "utter_faq_not_sure")
ANSWERING_SENDERS = ("bot", "agent", "system")
GAPS_SHOWN = 10


@dataclass(frozen=True)
class DayCount:
    day: date
    conversations: int
    handed_over: int

    @property
    def containment(self) -> float:
        return 1 - self.handed_over / self.conversations if self.conversations else 0.0


@dataclass(frozen=True)
class Gap:
    """Unanswered questions worded alike: how many, and one of them as it was typed."""

    size: int
    example: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class SupportStats:
    since: date
    until: date
    days: tuple[DayCount, ...]
    handovers: Mapping[str, int]
    csat: Mapping[int, int]  # score → answers
    csat_weekly: Mapping[date, float]  # Monday of the week → mean score
    first_response_s: float | None
    duration_s: float | None
    gaps: tuple[Gap, ...]
    emotions: Mapping[str, int]
    retention_offers: int = 0  # goodwill codes issued to customers at risk of leaving

    @property
    def conversations(self) -> int:
        return sum(d.conversations for d in self.days)

    @property
    def containment(self) -> float | None:
        handed = sum(d.handed_over for d in self.days)
        return 1 - handed / self.conversations if self.conversations else None

    @property
    def csat_mean(self) -> float | None:
        answers = sum(self.csat.values())
        return sum(s * n for s, n in self.csat.items()) / answers if answers else None


def unsure_replies(domain_file: Path = PROJECT_ROOT / "domain.yml") -> frozenset[str]:
    """Every text variant of the assistant's "not understood" and "no answer" responses."""
    responses = yaml.safe_load(domain_file.read_text(encoding="utf-8")).get("responses", {})
    return frozenset(
        str(variant["text"]).strip()
        for name in UNSURE_RESPONSES
        for variant in responses.get(name, [])
        if "text" in variant
    )


def handover_reason(source: str | None, reason: str | None) -> str:
    if source == "emotion":
        return "upset (emotion signal)"
    if source == "shopper":
        return "shopper pressed 'talk to a person'"
    if source == "agent":
        return "picked by an agent"
    return (reason or "unknown").replace("_", " ")


def load_support_stats(
    sessions: sessionmaker[Session],
    since: date,
    until: date,
    unsure: frozenset[str] | None = None,
) -> SupportStats:
    """The figures for conversations started from ``since`` up to (not including) ``until``."""
    unsure = unsure_replies() if unsure is None else unsure
    start, end = (
        datetime.combine(since, datetime.min.time()),
        datetime.combine(until, datetime.min.time()),
    )
    with sessions() as session:
        conversations = list(
            session.scalars(
                select(Conversation).where(
                    Conversation.created_at >= start, Conversation.created_at < end
                )
            )
        )
        ids = [c.id for c in conversations]
        messages = list(
            session.scalars(
                select(ConversationMessage)
                .where(ConversationMessage.conversation_id.in_(ids))
                .order_by(ConversationMessage.conversation_id, ConversationMessage.id)
            )
        )
        answers = list(
            session.scalars(
                select(CsatResponse).where(
                    CsatResponse.created_at >= start, CsatResponse.created_at < end
                )
            )
        )
        retention_offers = retention_offers_between(session, start, end)
    by_conversation: dict[str, list[ConversationMessage]] = defaultdict(list)
    for message in messages:
        by_conversation[message.conversation_id].append(message)
    handed = [c for c in conversations if c.escalation_reason or c.queued_at]
    return SupportStats(
        since=since,
        until=until,
        days=_days(conversations, handed, since, until),
        handovers=dict(
            Counter(handover_reason(c.escalation_source, c.escalation_reason) for c in handed)
        ),
        csat=dict(sorted(Counter(a.score for a in answers).items())),
        csat_weekly=_weekly_means(answers),
        first_response_s=_median(_first_response(m) for m in by_conversation.values()),
        duration_s=_median(_duration(m) for m in by_conversation.values()),
        gaps=cluster_gaps(_unanswered(by_conversation.values(), unsure)),
        emotions=dict(
            Counter(
                m.emotion for m in messages if m.sender == "shopper" and m.emotion
            ).most_common()
        ),
        retention_offers=retention_offers,
    )


def _days(
    conversations: Sequence[Conversation], handed: Sequence[Conversation], since: date, until: date
) -> tuple[DayCount, ...]:
    started = Counter(c.created_at.date() for c in conversations)
    escalated = Counter(c.created_at.date() for c in handed)
    span = (until - since).days
    days = (since + timedelta(days=i) for i in range(span))
    return tuple(DayCount(d, started[d], escalated[d]) for d in days)


def _weekly_means(answers: Sequence[CsatResponse]) -> dict[date, float]:
    weeks: dict[date, list[int]] = defaultdict(list)
    for answer in answers:
        day = answer.created_at.date()
        weeks[day - timedelta(days=day.weekday())].append(answer.score)
    return {week: round(statistics.fmean(scores), 2) for week, scores in sorted(weeks.items())}


def _first_response(messages: Sequence[ConversationMessage]) -> float | None:
    asked = next((m for m in messages if m.sender == "shopper"), None)
    if asked is None:
        return None
    answer = next((m for m in messages if m.id > asked.id and m.sender in ANSWERING_SENDERS), None)
    return (answer.created_at - asked.created_at).total_seconds() if answer else None


def _duration(messages: Sequence[ConversationMessage]) -> float | None:
    if len(messages) < 2:
        return None
    return (messages[-1].created_at - messages[0].created_at).total_seconds()


def _median(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 1) if known else None


def _unanswered(
    conversations: Iterable[Sequence[ConversationMessage]], unsure: frozenset[str]
) -> list[str]:
    """Shopper messages the assistant answered with one of its ``unsure`` replies."""
    found = []
    for messages in conversations:
        for asked, answer in itertools.pairwise(messages):
            if (
                asked.sender == "shopper"
                and answer.sender == "bot"
                and answer.text.strip() in unsure
            ):
                found.append(asked.text.strip())
    return found


def cluster_gaps(questions: Sequence[str], distance: float = 0.75) -> tuple[Gap, ...]:
    """Questions grouped by shared wording (TF-IDF word and character n-grams, average-linkage
    clustering at cosine ``distance``), biggest group first."""
    if not questions:
        return ()
    if len(questions) == 1:
        return (Gap(1, questions[0], (questions[0],)),)
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True
    ).fit_transform([q.lower() for q in questions])
    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance
    ).fit_predict(vectors.toarray())
    groups: dict[int, list[str]] = defaultdict(list)
    for label, question in zip(labels, questions, strict=True):
        groups[int(label)].append(question)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), g[0]))
    return tuple(Gap(len(g), Counter(g).most_common(1)[0][0], tuple(g)) for g in ordered)


def stats_json(stats: SupportStats) -> dict[str, Any]:
    """The figures as the desk's analytics page reads them."""
    return {
        "since": stats.since.isoformat(),
        "until": stats.until.isoformat(),
        "conversations": stats.conversations,
        "containment": None if stats.containment is None else round(stats.containment, 3),
        "days": [
            {
                "day": d.day.isoformat(),
                "conversations": d.conversations,
                "handed_over": d.handed_over,
                "containment": round(d.containment, 3),
            }
            for d in stats.days
        ],
        "handovers": dict(stats.handovers),
        "csat": {str(score): n for score, n in stats.csat.items()},
        "csat_mean": None if stats.csat_mean is None else round(stats.csat_mean, 2),
        "csat_weekly": {week.isoformat(): mean for week, mean in stats.csat_weekly.items()},
        "first_response_s": stats.first_response_s,
        "duration_s": stats.duration_s,
        "gaps": [
            {"size": g.size, "example": g.example, "questions": list(g.questions)}
            for g in stats.gaps[:GAPS_SHOWN]
        ],
        "emotions": dict(stats.emotions),
        "retention_offers": stats.retention_offers,
    }


CSV_TABLES = ("days", "handovers", "csat", "gaps", "emotions")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def stats_csv(stats: SupportStats, table: str) -> str:
    """One of ``CSV_TABLES`` as CSV text (a header row, then one row per item)."""
    rows: list[Sequence[object]]
    if table == "days":
        rows = [("day", "conversations", "handed_over", "containment")] + [
            (d.day.isoformat(), d.conversations, d.handed_over, round(d.containment, 3))
            for d in stats.days
        ]
    elif table == "handovers":
        rows = [("reason", "conversations"), *stats.handovers.items()]
    elif table == "csat":
        rows = [("score", "answers"), *stats.csat.items()]
    elif table == "gaps":
        rows = [("size", "example", "questions")] + [
            (g.size, g.example, " | ".join(g.questions)) for g in stats.gaps
        ]
    elif table == "emotions":
        rows = [("emotion", "messages"), *stats.emotions.items()]
    else:
        raise ValueError(f"unknown table {table!r}; one of {', '.join(CSV_TABLES)}")
    out = io.StringIO()
    csv.writer(out).writerows([[_cell(value) for value in row] for row in rows])
    return out.getvalue()


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula (shoppers' questions, hand-over reasons) starts
    with a quote, which shows it as typed (OWASP's advice against CSV injection)."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


class SupportAnalytics:
    """``load_support_stats`` over one shop database, for the desk's analytics page."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._unsure: frozenset[str] | None = None

    def stats(self, since: date, until: date) -> SupportStats:
        if self._unsure is None:
            self._unsure = unsure_replies()
        return load_support_stats(self._sessions, since, until, self._unsure)
