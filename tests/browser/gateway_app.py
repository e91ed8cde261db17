"""The gateway as the browser tests run it: the real application, with insight's keyword emotion
detector standing in for the trained one (``uvicorn tests.browser.gateway_app:create_app
--factory``), so the emotion timeline and emotion escalation are predictable."""

from __future__ import annotations

from dataclasses import replace

import socketio

from bot.app import create_app as create_gateway
from bot.services import build_services
from insight.emotion.base import KeywordEmotionDetector
from insight.settings import Settings


def create_app() -> socketio.ASGIApp:
    settings = Settings.from_env()
    services = replace(build_services(settings), emotion=KeywordEmotionDetector())
    return create_gateway(settings, services)
