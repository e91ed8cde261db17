"""Talking to the Rasa server: the REST channel for shopper messages, the HTTP API for handoff.

The HTTP API needs Rasa started with ``--enable-api --auth-token``; every call passes the token.
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx

INTENT_PREFIX = "/"


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
    """Rasa did not answer (down, restarting or overloaded)."""


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

    async def aclose(self) -> None: ...


class RasaClient:
    def __init__(
        self,
        base_url: str,
        api_token: str = "",
        timeout_s: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._api_token = api_token
        self._client = httpx.AsyncClient(
            base_url=self._base_url, timeout=timeout_s, transport=transport
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _post(self, path: str, body: Any, **params: str) -> httpx.Response:
        try:
            response = await self._client.post(path, json=body, params=params)
        except httpx.HTTPError as error:
            raise RasaUnavailable(f"{path}: {error!r}") from error
        if response.status_code >= 500:
            raise RasaUnavailable(f"{path}: HTTP {response.status_code} {response.text[:200]}")
        return response

    async def send(
        self, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Send one shopper message; returns the bot's messages (text, buttons, custom)."""
        body = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        response = await self._post("/webhooks/rest/webhook", body)
        if response.status_code != 200:
            raise RasaUnavailable(f"REST channel: HTTP {response.status_code}")
        messages: list[dict[str, Any]] = response.json()
        return messages

    async def _append_event(self, sender_id: str, event: str) -> None:
        response = await self._post(
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
