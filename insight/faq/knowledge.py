"""Reading the shop's FAQ knowledge: entries, policy values and the threshold-tuning set.

Layout under the knowledge folder:

- ``policies.yml``: every policy value (return window, free-shipping threshold, …) in one place;
  nested keys flatten with ``_`` (``delivery_days: {eu: 3–5}`` → ``{delivery_days_eu}``) and lists
  join with commas.
- ``faq/*.yml``: ``topic`` plus ``entries`` of ``id``, ``question``, ``paraphrases`` and an
  ``answer`` whose ``{placeholders}`` name policy values; they are filled in at load time.
- ``faq_tuning.yml``: questions that are never indexed and only pick the answer threshold.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from insight.faq.contracts import FaqEntry

POLICIES_FILE = "policies.yml"
FAQ_FOLDER = "faq"
TUNING_FILE = "faq_tuning.yml"
MIN_PARAPHRASES = 4
MAX_PARAPHRASES = 8
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class KnowledgeError(ValueError):
    """The knowledge files are inconsistent (unknown placeholder, duplicate id or text, …)."""


@dataclass(frozen=True)
class LabelledQueries:
    """Questions labelled with the FAQ entry that should answer them, plus unanswerable ones."""

    in_scope: tuple[tuple[str, str], ...]  # (query, entry id)
    out_of_scope: tuple[str, ...]


def read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def faq_files(knowledge_dir: Path) -> list[Path]:
    return sorted((knowledge_dir / FAQ_FOLDER).glob("*.yml"))


def knowledge_inputs(knowledge_dir: Path) -> list[Path]:
    """Every file the FAQ artefact is built from."""
    return [
        knowledge_dir / POLICIES_FILE,
        *faq_files(knowledge_dir),
        knowledge_dir / TUNING_FILE,
    ]


def load_policies(knowledge_dir: Path) -> dict[str, str]:
    """Policy values as placeholder name → display text."""
    raw = read_yaml(knowledge_dir / POLICIES_FILE)
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{POLICIES_FILE} must be a mapping")
    return dict(_flatten(raw))


def _flatten(values: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{name}_")
        elif isinstance(value, list):
            yield name, ", ".join(str(item) for item in value)
        else:
            yield name, str(value)


def render(template: str, policies: Mapping[str, str], where: str) -> str:
    """Fill ``{placeholders}``; an unknown name is an error, never left in a shopper's answer."""
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    missing = sorted(fields - policies.keys())
    if missing:
        raise KnowledgeError(f"{where}: unknown policy placeholder(s) {', '.join(missing)}")
    return template.format_map(policies)


def load_faq_entries(knowledge_dir: Path) -> list[FaqEntry]:
    """All entries with rendered answers, validated (ids, paraphrase counts, duplicate texts)."""
    policies = load_policies(knowledge_dir)
    entries: list[FaqEntry] = []
    seen_texts: dict[str, str] = {}
    files = faq_files(knowledge_dir)
    if not files:
        raise KnowledgeError(f"no FAQ files under {knowledge_dir / FAQ_FOLDER}")
    for path in files:
        document = read_yaml(path)
        topic = str(document.get("topic") or path.stem)
        for raw in document.get("entries") or []:
            entry = _entry(raw, topic, policies, path.name)
            for text in entry.texts:
                key = normalise_text(text)
                if key in seen_texts:
                    raise KnowledgeError(
                        f"{entry.id}: text {text!r} already belongs to {seen_texts[key]}"
                    )
                seen_texts[key] = entry.id
            entries.append(entry)
    ids = [entry.id for entry in entries]
    duplicates = sorted({entry_id for entry_id in ids if ids.count(entry_id) > 1})
    if duplicates:
        raise KnowledgeError(f"duplicate FAQ ids: {', '.join(duplicates)}")
    return entries


def _entry(raw: Mapping[str, Any], topic: str, policies: Mapping[str, str], where: str) -> FaqEntry:
    entry_id = str(raw.get("id", ""))
    if not _ID.match(entry_id):
        raise KnowledgeError(f"{where}: bad or missing id {entry_id!r}")
    paraphrases = tuple(text.strip() for text in _strings(raw.get("paraphrases"), where))
    if not MIN_PARAPHRASES <= len(paraphrases) <= MAX_PARAPHRASES:
        raise KnowledgeError(
            f"{where}:{entry_id}: needs {MIN_PARAPHRASES}–{MAX_PARAPHRASES} paraphrases, "
            f"has {len(paraphrases)}"
        )
    question, answer = str(raw.get("question", "")).strip(), str(raw.get("answer", "")).strip()
    if not question or not answer:
        raise KnowledgeError(f"{where}:{entry_id}: question and answer are required")
    return FaqEntry(
        id=entry_id,
        topic=topic,
        question=question,
        paraphrases=paraphrases,
        answer=render(" ".join(answer.split()), policies, f"{where}:{entry_id}"),
    )


def _strings(values: Any, where: str) -> list[str]:
    """A YAML list of texts; an unquoted ``key: value`` item would silently become a mapping."""
    items = list(values or [])
    odd = [item for item in items if not isinstance(item, str)]
    if odd:
        raise KnowledgeError(f"{where}: not plain text (quote it?): {odd[0]!r}")
    return items


def normalise_text(text: str) -> str:
    """Case- and spacing-insensitive form, for spotting the same question written twice."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def load_labelled_queries(path: Path, known_ids: set[str]) -> LabelledQueries:
    """Read ``in_scope: {entry_id: [questions]}`` and ``out_of_scope: [questions]``."""
    document = read_yaml(path) or {}
    in_scope: list[tuple[str, str]] = []
    for entry_id, queries in (document.get("in_scope") or {}).items():
        if entry_id not in known_ids:
            raise KnowledgeError(f"{path.name}: unknown FAQ id {entry_id!r}")
        in_scope += [(query, str(entry_id)) for query in _strings(queries, path.name)]
    out_of_scope = tuple(_strings(document.get("out_of_scope"), path.name))
    return LabelledQueries(tuple(in_scope), out_of_scope)
