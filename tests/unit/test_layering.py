"""The layering rules of DESIGN.md, enforced: insight depends on nothing of the project."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from insight.settings import PROJECT_ROOT

FORBIDDEN = {
    "insight": {"rasa_sdk", "rasa", "bot", "actions"},
    "actions": {"bot"},
    "bot": {"actions", "rasa_sdk"},
}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_packages_import_only_what_their_layer_allows(package: str) -> None:
    files = sorted((PROJECT_ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no Python files"
    violations = {
        str(path.relative_to(PROJECT_ROOT)): sorted(_imported_roots(path) & FORBIDDEN[package])
        for path in files
    }
    assert {file: bad for file, bad in violations.items() if bad} == {}
