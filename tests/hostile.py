"""The hostile-input corpus (``tests/data/hostile/corpus.json``, written by the ``generate.py``
beside it), read back with its repetitions expanded."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from insight.settings import PROJECT_ROOT

CORPUS_FILE = PROJECT_ROOT / "tests" / "data" / "hostile" / "corpus.json"


@dataclass(frozen=True)
class HostileText:
    kind: str
    text: str

    def __str__(self) -> str:  # readable pytest ids and failure messages
        shown = self.text if len(self.text) <= 60 else f"{self.text[:57]}…({len(self.text)})"
        return f"{self.kind}:{shown!r}"


@dataclass(frozen=True)
class SocketPayload:
    event: str
    data: Any


@cache
def _corpus() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(CORPUS_FILE.read_text())
    return loaded


def _expand(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$repeat"}:
            unit, times = value["$repeat"]
            return str(unit) * int(times)
        return {key: _expand(item) for key, item in value.items()}
    return value


def texts() -> list[HostileText]:
    return [HostileText(i["kind"], i["text"] * i["times"]) for i in _corpus()["texts"]]


def socket_payloads() -> list[SocketPayload]:
    return [SocketPayload(p["event"], _expand(p["data"])) for p in _corpus()["socket_payloads"]]


def http_bodies() -> list[bytes]:
    return [
        b"".join(base64.b64decode(segment) * times for segment, times in body)
        for body in _corpus()["http_bodies"]
    ]
