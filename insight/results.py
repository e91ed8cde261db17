"""Writing evaluation and benchmark figures into ``eval-results/`` and ``bench-results/``.

Several commands contribute sections to the same ``latest.json``; each merges its own keys so
that one command never erases another's figures. A Markdown twin is written next to it.
"""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from insight.settings import PROJECT_ROOT


def machine_details() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def results_dir(kind: str) -> Path:
    """``kind`` is ``eval`` or ``bench``; the folder is overridable for tests."""
    override = os.environ.get(f"SHOPSENSE_{kind.upper()}_RESULTS")
    return Path(override) if override else PROJECT_ROOT / f"{kind}-results"


def update_results(kind: str, section: str, payload: Any) -> Path:
    """Merge ``payload`` under ``section`` into ``<kind>-results/latest.json`` and its twin."""
    folder = results_dir(kind)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "latest.json"
    data: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    data[section] = payload
    data["machine"] = machine_details()
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
    (folder / "latest.md").write_text(_markdown(kind, data))
    return path


def _markdown(kind: str, data: dict[str, Any]) -> str:
    lines = [f"# ShopSense {kind} results", ""]
    for section in sorted(data):
        lines += [f"## {section}", "", "```json", json.dumps(data[section], indent=2, default=str)]
        lines += ["```", ""]
    return "\n".join(lines)
