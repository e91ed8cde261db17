"""The gateway's application: FastAPI for pages and the HTTP API, python-socketio for live
traffic, served together by uvicorn (``uvicorn bot.app:create_app --factory``).

Shoppers never reach Rasa directly: the switchboard cleans what they type, decides who gets it
(the assistant, the queue or an agent) and stores every message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import socketio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from bot.desk_api import desk_router
from bot.guards import MAX_SOCKET_FRAME_BYTES, BodyLimit, RateLimits
from bot.invoice_page import invoice_router
from bot.logs import guard_access_log
from bot.metrics import may_scrape
from bot.pages import mount_pages
from bot.services import GatewayServices, bootstrap_agents, build_services
from bot.sockets import SocketOutbox, register
from bot.switchboard import DATABASE_DOWN, Switchboard
from bot.widget_api import demo_router, shopper_router
from insight.settings import Settings, startup_settings
from insight.support.assist import HandoverAssist
from insight.understanding.message import MessageUnderstanding

log = logging.getLogger(__name__)


async def warm_up(understanding: MessageUnderstanding, loaded: asyncio.Event) -> None:
    """Load the understanding model and the FAQ index in a worker thread while the gateway
    already answers, so that the first shopper message does not wait for them (they would load
    on first use anyway); ``loaded`` is set once they are in memory."""
    try:
        await asyncio.to_thread(understanding.warm_up)
    except Exception:  # messages are still stored and answered, without a reading
        log.exception("the understanding model could not be loaded")
    else:
        loaded.set()


async def readiness(
    services: GatewayServices, understanding_loaded: asyncio.Event
) -> dict[str, str]:
    """What ``/readyz`` checks: each dependency a shopper's turn needs, ``ok`` or why not."""
    database = await asyncio.to_thread(services.database_reachable)
    return {
        "database": "ok" if database else "unreachable",
        "assistant": "ok" if await services.assistant.reachable() else "unreachable",
        "understanding": "ok" if understanding_loaded.is_set() else "loading or failed",
    }


def create_app(
    settings: Settings | None = None, services: GatewayServices | None = None
) -> socketio.ASGIApp:
    """The gateway; without ``settings`` (uvicorn's factory call) it starts from the environment
    and refuses the secrets ``startup_settings`` refuses. uvicorn's access log prints no
    conversation id from here on (``bot.logs``)."""
    guard_access_log()
    settings = settings or startup_settings()
    services = services or build_services(settings)
    server = socketio.AsyncServer(async_mode="asgi", max_http_buffer_size=MAX_SOCKET_FRAME_BYTES)
    limits = RateLimits.from_rates(
        settings.rate_per_connection, settings.rate_per_ip, settings.rate_logins
    )
    outbox = SocketOutbox(server)
    metrics_token = settings.metrics_token
    switchboard = Switchboard(
        conversations=services.conversations,
        customers=services.customers,
        assistant=services.assistant,
        tokens=services.tokens,
        outbox=outbox,
        escalation_rule=services.escalation_rule,
        understanding=services.understanding,
    )
    register(server, outbox, switchboard, services.desk_sessions, services.agents, limits=limits)

    understanding_loaded = asyncio.Event()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        bootstrap_agents(services.agents, settings)
        loading = asyncio.create_task(warm_up(services.understanding, understanding_loaded))
        redelivery = asyncio.create_task(switchboard.keep_redelivering())
        yield
        redelivery.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await redelivery
        await loading
        await services.assistant.aclose()

    app = FastAPI(
        title="ShopSense gateway",
        version="0.2.0",
        description="Shopper widget, agent desk and handoff between the assistant and people.",
        lifespan=lifespan,
    )

    async def database_down(_request: Request, _error: Exception) -> JSONResponse:
        return JSONResponse(
            {"detail": "the shop database is not reachable right now; try again shortly"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    for error in DATABASE_DOWN:
        app.add_exception_handler(error, database_down)

    async def invalid_request(_request: Request, error: Exception) -> JSONResponse:
        """422 saying where and why, never echoing the input: it may be huge, hold unpaired
        surrogates or non-finite numbers, and echoing those once turned a 422 into a 500."""
        problems = error.errors() if isinstance(error, RequestValidationError) else []
        detail = [
            {"loc": list(p.get("loc", ())), "msg": str(p.get("msg")), "type": str(p.get("type"))}
            for p in problems
        ]
        return JSONResponse({"detail": detail}, status_code=422)

    app.add_exception_handler(RequestValidationError, invalid_request)

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        """The process answers (liveness); ``/readyz`` says whether it can serve a turn."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"])
    async def readyz() -> JSONResponse:
        """200 when the database, an assistant server and the understanding model are all
        there; 503 naming what is missing, so a load balancer sends shoppers elsewhere."""
        checks = await readiness(services, understanding_loaded)
        ready = all(state == "ok" for state in checks.values())
        body = {"status": "ready" if ready else "not ready", "checks": checks}
        return JSONResponse(body, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    async def metrics(request: Request) -> Response:
        """Prometheus metrics (``bot.metrics``): loopback clients, or the metrics token."""
        host = request.client.host if request.client else None
        if not may_scrape(host, request.headers.get("authorization"), metrics_token):
            return JSONResponse({"detail": "metrics are not public"}, status_code=403)
        return Response(switchboard.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    app.include_router(shopper_router(switchboard, limits))
    app.include_router(invoice_router(services.invoices, limits))
    assist = HandoverAssist(
        services.conversations, services.customers, services.orders, services.faq
    )
    app.include_router(
        desk_router(
            switchboard,
            services.agents,
            services.desk_sessions,
            limits,
            assist=assist,
            analytics=services.analytics,
            end_live_session=outbox.end_desk_session,
        )
    )
    if settings.demo_tokens:
        app.include_router(demo_router(services.tokens, services.customers))
    mount_pages(app)
    app.add_middleware(BodyLimit)
    return socketio.ASGIApp(server, other_asgi_app=app)
