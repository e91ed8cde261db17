"""A shopper's widget in Python: python-socketio's AsyncClient speaking the gateway's shopper
protocol (``bot/sockets.py``), for the live tests and the benchmarks.

Each client may connect from its own loopback address (all of 127.0.0.0/8 is loopback on Linux),
so that the gateway's per-IP rate limits see distinct shoppers, as they would on the internet.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import socketio


def loopback_ip(n: int) -> str:
    """The n-th loopback address after 127.0.0.1 (n ≥ 1): 127.0.1.1, 127.0.1.2, …"""
    return f"127.{1 + n // 65_025}.{1 + n // 255 % 255}.{1 + n % 255}"


@dataclass
class WidgetClient:
    url: str
    source_ip: str | None = None
    timeout_s: float = 30.0
    received: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    _client: socketio.AsyncClient | None = None
    _http: aiohttp.ClientSession | None = None

    async def connect(self) -> None:
        connector = aiohttp.TCPConnector(
            local_addr=(self.source_ip, 0) if self.source_ip else None, force_close=True
        )
        self._http = aiohttp.ClientSession(connector=connector)
        self._client = socketio.AsyncClient(http_session=self._http, reconnection=False)
        self._client.on("message", self.received.append)
        self._client.on("status", self.statuses.append)
        await self._client.connect(self.url, transports=["websocket"], wait_timeout=self.timeout_s)

    @property
    def client(self) -> socketio.AsyncClient:
        if self._client is None:
            raise RuntimeError("connect first")
        return self._client

    async def call(self, event: str, data: Any) -> Any:
        """Emit ``event`` and wait for the gateway's ack."""
        return await self.client.call(event, data, timeout=self.timeout_s)

    async def hello(
        self, token: str | None = None, conversation_id: str | None = None
    ) -> dict[str, Any]:
        ack: dict[str, Any] = await self.call(
            "hello", {"token": token, "conversation_id": conversation_id}
        )
        return ack

    async def say(self, text: str) -> dict[str, Any]:
        ack: dict[str, Any] = await self.call(
            "message", {"client_id": uuid.uuid4().hex, "text": text}
        )
        return ack

    def texts(self, sender: str = "bot") -> list[str]:
        return [str(m.get("text", "")) for m in self.received if m.get("sender") == sender]

    async def close(self) -> None:
        if self._client is not None and self._client.connected:
            await self._client.disconnect()
        if self._http is not None:
            await self._http.close()
