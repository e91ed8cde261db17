"""Talking to the Rasa server: the REST channel for shopper messages, the HTTP API for handoff.

The HTTP API needs Rasa started with ``--enable-api --auth-token``; every call passes the token.

Several Rasa servers may stand behind one gateway (``RASA_URL`` lists them, comma-separated);
they must share a SQL tracker store and a Redis lock store. Each conversation sticks to one of
them, chosen from its id; when that one does not accept connections the next one takes over,
which is safe because the tracker is shared and the lock store keeps the conversation's
messages in order.
"""

from __future__ import annotations

import asyncio
import zlib
from typing import Any, Protocol

import httpx

from bot.logs import without_conversation_ids

INTENT_PREFIX = "/"
READY_TIMEOUT_S = 2.0


def neutralise_commands(text: str) -> str:
    """Shopper text must never reach Rasa as ``/intent{...}``: leading slashes are dropped.

    Rasa treats any message that starts with "/" as an intent with entities chosen by the
    sender, skipping NLU (rasa#4161).
    """
    stripped = text.strip()
    while stripped.startswith(INTENT_PREFIX):
        stripped = stripped[len(INTENT_PREFIX) :].lstrip()
    return stripped


class RasaUnavailable(RuntimeError):
    """Rasa did not answer (down, restarting or overloaded).

    ``maybe_delivered``: the request reached a server that may have processed it (a timeout, a
    server error); sending it again could process the message twice.
    """

    def __init__(self, message: str, *, maybe_delivered: bool = False) -> None:
        super().__init__(without_conversation_ids(message))  # the gateway logs these
        self.maybe_delivered = maybe_delivered


class UnknownIntent(LookupError):
    """The running model has no such intent (trigger_intent answered 404)."""


class Assistant(Protocol):
    """What the gateway needs from the assistant (RasaClient; a fake in tests)."""

    async def send(
        self, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]: ...

    async def pause(self, sender_id: str) -> None: ...

    async def resume(self, sender_id: str) -> None: ...

    async def trigger_intent(
        self, sender_id: str, intent: str, entities: dict[str, str]
    ) -> list[dict[str, Any]]: ...

    async def reachable(self) -> bool:
        """Whether at least one assistant server can answer a turn (the gateway's ``/readyz``)."""
        ...

    async def aclose(self) -> None: ...


def server_urls(rasa_url: str) -> list[str]:
    """The Rasa servers named by ``RASA_URL`` (one URL, or several separated by commas)."""
    urls = [url.strip().rstrip("/") for url in rasa_url.split(",") if url.strip()]
    if not urls:
        raise ValueError("RASA_URL names no Rasa server")
    return urls


class RasaClient:
    def __init__(
        self,
        base_url: str,
        api_token: str = "",
        timeout_s: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._servers = server_urls(base_url)
        self._api_token = api_token
        self._client = httpx.AsyncClient(timeout=timeout_s, transport=transport)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def reachable(self) -> bool:
        """Asks every server's ``/status`` at once: it answers 200 only with the right API token
        and a model loaded (Rasa's root answers even before the model is)."""

        async def ready(server: str) -> bool:
            try:
                response = await self._client.get(
                    server + "/status", params={"token": self._api_token}, timeout=READY_TIMEOUT_S
                )
            except httpx.HTTPError:
                return False
            return response.status_code == 200

        return any(await asyncio.gather(*(ready(server) for server in self._servers)))

    def servers_for(self, sender_id: str) -> list[str]:
        """The servers in the order this conversation tries them: its own first."""
        first = zlib.crc32(sender_id.encode()) % len(self._servers)
        return self._servers[first:] + self._servers[:first]

    async def _post(self, sender_id: str, path: str, body: Any, **params: str) -> httpx.Response:
        refused = []
        for server in self.servers_for(sender_id):
            try:
                response = await self._client.post(server + path, json=body, params=params)
            except httpx.ConnectError as error:  # never reached that server: try the next
                refused.append(f"{server}: {error!r}")
                continue
            except httpx.HTTPError as error:  # it may have seen the request: no second server
                raise RasaUnavailable(f"{server}{path}: {error!r}", maybe_delivered=True) from error
            if response.status_code >= 500:
                raise RasaUnavailable(
                    f"{server}{path}: HTTP {response.status_code} {response.text[:200]}",
                    maybe_delivered=True,
                )
            return response
        raise RasaUnavailable(f"{path}: " + "; ".join(refused))

    async def send(
        self, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Send one shopper message; returns the bot's messages (text, buttons, custom)."""
        body = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        response = await self._post(sender_id, "/webhooks/rest/webhook", body)
        if response.status_code != 200:
            raise RasaUnavailable(f"REST channel: HTTP {response.status_code}")
        messages: list[dict[str, Any]] = response.json()
        return messages

    async def _append_event(self, sender_id: str, event: str) -> None:
        response = await self._post(
            sender_id,
            f"/conversations/{sender_id}/tracker/events",
            {"event": event},
            token=self._api_token,
            include_events="NONE",
        )
        if response.status_code != 200:
            raise RasaUnavailable(f"appending {event}: HTTP {response.status_code}")

    async def pause(self, sender_id: str) -> None:
        """Append ``ConversationPaused``: the assistant stops predicting for this conversation."""
        await self._append_event(sender_id, "pause")

    async def resume(self, sender_id: str) -> None:
        """Append ``ConversationResumed``."""
        await self._append_event(sender_id, "resume")

    async def trigger_intent(
        self, sender_id: str, intent: str, entities: dict[str, str]
    ) -> list[dict[str, Any]]:
        """Run the assistant as if the shopper had expressed ``intent``; returns its messages."""
        response = await self._post(
            sender_id,
            f"/conversations/{sender_id}/trigger_intent",
            {"name": intent, "entities": entities},
            token=self._api_token,
            include_events="NONE",
        )
        if response.status_code == 404:
            raise UnknownIntent(intent)
        if response.status_code != 200:
            raise RasaUnavailable(f"trigger_intent {intent}: HTTP {response.status_code}")
        messages: list[dict[str, Any]] = response.json().get("messages", [])
        return messages
