"""The gateway's application: FastAPI for pages and the HTTP API, python-socketio for live
traffic, served together by uvicorn (``uvicorn bot.app:create_app --factory``).

Shoppers never reach Rasa directly: the switchboard cleans what they type, decides who gets it
(the assistant, the queue or an agent) and stores every message.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import socketio
from fastapi import FastAPI

from bot.desk_api import desk_router
from bot.pages import mount_pages
from bot.services import GatewayServices, bootstrap_agents, build_services
from bot.sockets import SocketOutbox, register
from bot.switchboard import Switchboard
from bot.widget_api import demo_router, shopper_router
from insight.settings import Settings


def create_app(
    settings: Settings | None = None, services: GatewayServices | None = None
) -> socketio.ASGIApp:
    settings = settings or Settings.from_env()
    services = services or build_services(settings)
    server = socketio.AsyncServer(async_mode="asgi")
    outbox = SocketOutbox(server)
    switchboard = Switchboard(
        conversations=services.conversations,
        customers=services.customers,
        assistant=services.assistant,
        tokens=services.tokens,
        outbox=outbox,
        escalation_rule=services.escalation_rule,
        emotion=services.emotion,
    )
    register(server, outbox, switchboard, services.desk_sessions, services.agents)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        bootstrap_agents(services.agents, settings)
        yield
        await services.assistant.aclose()

    app = FastAPI(
        title="ShopSense gateway",
        version="0.2.0",
        description="Shopper widget, agent desk and handoff between the assistant and people.",
        lifespan=lifespan,
    )

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(shopper_router(switchboard))
    app.include_router(desk_router(switchboard, services.agents, services.desk_sessions))
    if settings.demo_tokens:
        app.include_router(demo_router(services.tokens, services.customers))
    mount_pages(app)
    return socketio.ASGIApp(server, other_asgi_app=app)
