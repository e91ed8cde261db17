"""What the gateway's access log keeps of a conversation id, through a real uvicorn server: a ref,
never the id (it is the key to a guest's transcript)."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from uvicorn.logging import AccessFormatter

from bot.app import create_app
from bot.switchboard import new_conversation_id
from insight.conversations import ConversationRepository
from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import upgrade
from insight.settings import Settings
from tests.gateway_fakes import FakeAssistant, gateway_services
from tests.served import serving


@pytest.mark.asyncio
async def test_the_access_log_prints_no_conversation_id(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    guest = new_conversation_id()
    ConversationRepository(sessions).open(guest, None)
    app = create_app(Settings.from_env({}), gateway_services(sessions, FakeAssistant()))
    caplog.set_level(logging.INFO, logger="uvicorn.access")

    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        transcript = await client.get(f"/api/conversations/{guest}/messages?after_id=0")
    engine.dispose()

    access = [record for record in caplog.records if record.name == "uvicorn.access"]
    assert transcript.status_code == 200 and len(access) == 1
    line = access[0].getMessage()
    assert "GET /api/conversations/" in line and "/messages?after_id=0" in line
    assert guest not in line
    # uvicorn's own access format (its default logging configuration) still reads the record
    formatted = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(
        access[0]
    )
    assert "/api/conversations/" in formatted and guest not in formatted
