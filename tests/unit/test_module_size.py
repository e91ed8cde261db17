"""The gateway stays readable one module at a time (issue 14): no file in ``bot/`` over 300
lines, and each module opens with a docstring saying what it owns."""

from __future__ import annotations

import ast
from pathlib import Path

from insight.settings import PROJECT_ROOT

MAX_LINES = 300
GATEWAY_FILES = sorted((PROJECT_ROOT / "bot").rglob("*.py"))


def _relative(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT))


def test_no_gateway_module_is_longer_than_a_newcomer_reads_at_once() -> None:
    assert GATEWAY_FILES, "bot/ has no Python files"
    lengths = {_relative(path): len(path.read_text().splitlines()) for path in GATEWAY_FILES}
    assert {file: n for file, n in lengths.items() if n > MAX_LINES} == {}


def test_every_gateway_module_says_what_it_owns() -> None:
    undocumented = [
        _relative(path)
        for path in GATEWAY_FILES
        if not ast.get_docstring(ast.parse(path.read_text(), filename=str(path)))
    ]
    assert undocumented == []
