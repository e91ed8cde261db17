"""Intent examples read from Rasa NLU training files (``data/nlu/*.yml``, ``tests/nlu/*.yml``).

The intent head of the shared encoder learns from the same files Rasa's DIET does, so the two
never disagree about what an intent means. Entity annotations (``[SS-100234](order_number)`` or
``[tv]{"entity": "category"}``) are reduced to the text the shopper typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml  # type: ignore[import-untyped, unused-ignore]

from insight.settings import PROJECT_ROOT

NLU_DIR = PROJECT_ROOT / "data" / "nlu"
HELDOUT_FILE = PROJECT_ROOT / "tests" / "nlu" / "heldout.yml"

_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class LabelledText:
    """A message and its label; ``source`` says where it came from (a file, a package)."""

    text: str
    label: str
    source: str
    source_label: str | None = None


def nlu_files(folder: Path = NLU_DIR) -> tuple[Path, ...]:
    return tuple(sorted(folder.glob("*.yml")))


def plain_text(example: str) -> str:
    """The example as the shopper typed it, without entity annotations."""
    return _ANNOTATION.sub(r"\1", example).strip()


def read_nlu_examples(paths: Path | Iterable[Path]) -> list[LabelledText]:
    """Every intent example of the given Rasa NLU files, in file order."""
    examples = []
    for path in [paths] if isinstance(paths, Path) else paths:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in document.get("nlu") or []:
            if not isinstance(block, dict) or "intent" not in block:
                continue  # synonyms, regexes and lookup tables
            intent = str(block["intent"])
            for line in str(block.get("examples") or "").splitlines():
                item = line.strip()
                if item.startswith("- "):
                    examples.append(LabelledText(plain_text(item[2:]), intent, path.name))
    return examples
