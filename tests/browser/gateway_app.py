"""The gateway as the browser tests run it: the real application, with insight's keyword
understander standing in for the trained model (``uvicorn tests.browser.gateway_app:create_app
--factory``), so the emotion timeline and emotion escalation are predictable."""

from __future__ import annotations

from dataclasses import replace

import socketio

from bot.app import create_app as create_gateway
from bot.services import build_services
from insight.settings import startup_settings
from insight.understanding.contracts import KeywordUnderstander
from insight.understanding.message import MessageUnderstanding


def create_app() -> socketio.ASGIApp:
    settings = startup_settings()
    services = replace(
        build_services(settings), understanding=MessageUnderstanding(KeywordUnderstander())
    )
    return create_gateway(settings, services)
