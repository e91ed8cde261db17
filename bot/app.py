"""The gateway's HTTP application (FastAPI), served by uvicorn.

Shoppers never reach Rasa directly: the gateway cleans what they type and forwards it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from bot.rasa_client import RasaClient, RasaUnavailable, neutralise_commands
from insight.settings import Settings

MAX_MESSAGE_CHARS = 2000
UNAVAILABLE_REPLY = (
    "Sorry, I'm having trouble answering right now. Please try again in a moment, "
    "or ask for a person and we'll get back to you."
)


class ShopperMessage(BaseModel):
    sender_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    text: str = Field(max_length=MAX_MESSAGE_CHARS)


class BotReply(BaseModel):
    messages: list[dict[str, Any]]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    rasa = RasaClient(settings.rasa_url)
    app = FastAPI(title="ShopSense gateway", version="0.1.0")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/messages", response_model=BotReply)
    async def send_message(message: ShopperMessage) -> BotReply:
        text = neutralise_commands(message.text)
        if not text:
            return BotReply(messages=[{"text": "I'm here whenever you're ready. How can I help?"}])
        try:
            replies = await rasa.send(message.sender_id, text)
        except RasaUnavailable:
            replies = [{"text": UNAVAILABLE_REPLY}]
        return BotReply(messages=replies)

    @app.get("/", response_class=HTMLResponse)
    async def shop_page() -> str:
        return _PLACEHOLDER_PAGE

    return app


_PLACEHOLDER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ShopSense demo shop</title></head>
<body><h1>ShopSense demo shop</h1>
<p>The gateway is running. Send a message with <code>POST /api/messages</code>
(see <a href="/docs">the API</a>).</p></body></html>
"""
