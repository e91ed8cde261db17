"""The shop policy values the support operations enforce, from ``knowledge/policies.yml``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

POLICIES_FILE = "policies.yml"
DEFAULT_RETURN_WINDOW_DAYS = 30
DEFAULT_CURRENCY = "EUR"


def _policies(knowledge_dir: Path) -> dict[str, Any]:
    path = knowledge_dir / POLICIES_FILE
    if not path.is_file():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return raw if isinstance(raw, dict) else {}


def return_window_days(knowledge_dir: Path) -> int:
    """Days after delivery within which an item may be returned.

    Read from ``return_window_days`` (or ``returns: {window_days: …}``); 30 when absent.
    """
    policies = _policies(knowledge_dir)
    returns = policies.get("returns")
    nested = returns.get("window_days") if isinstance(returns, dict) else None
    value = policies.get("return_window_days", nested)
    return int(value) if value is not None else DEFAULT_RETURN_WINDOW_DAYS


def shop_currency(knowledge_dir: Path) -> str:
    """The currency catalogue prices are shown in (``currency``; EUR when absent)."""
    return str(_policies(knowledge_dir).get("currency") or DEFAULT_CURRENCY)
