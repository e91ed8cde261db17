"""Talking to the Rasa server: the REST channel for shopper messages."""

from __future__ import annotations

from typing import Any

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


class RasaClient:
    def __init__(self, base_url: str, timeout_s: float = 30.0) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout_s = timeout_s

    async def send(
        self, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Send one shopper message; returns the bot's messages (text, buttons, custom)."""
        body = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        try:
            async with httpx.AsyncClient(timeout=self._timeout_s) as client:
                response = await client.post(f"{self._base_url}/webhooks/rest/webhook", json=body)
                response.raise_for_status()
        except httpx.HTTPError as error:
            raise RasaUnavailable(str(error)) from error
        messages: list[dict[str, Any]] = response.json()
        return messages

    async def is_up(self) -> bool:
        try:
            async with httpx.AsyncClient(timeout=2.0) as client:
                return (await client.get(f"{self._base_url}/")).status_code == 200
        except httpx.HTTPError:
            return False
