"""The web pages (the demo shop with the chat widget, the agent desk and its analytics) and
their assets."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"
# Built by the Makefile from the npm package socket.io-client (package-lock.json); not committed.
SOCKET_IO_CLIENT = STATIC_DIR / "vendor" / "socket.io.min.js"


def mount_pages(app: FastAPI) -> None:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/")
    def shop() -> FileResponse:
        return FileResponse(STATIC_DIR / "shop.html")

    @pages.get("/desk")
    def desk() -> FileResponse:
        return FileResponse(STATIC_DIR / "desk.html")

    @pages.get("/desk/analytics")
    def analytics() -> FileResponse:
        return FileResponse(STATIC_DIR / "analytics.html")

    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
