"""The intent reader as the FAQ build asks it: which texts is it sure are FAQ questions?

The FAQ answers such messages from a lower threshold (``insight.faq.tuning``), so the build reads
the tuning questions and indexed texts with the same reader the gateway uses for each message.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from insight.emotion.train import artefact_path
from insight.settings import Settings
from insight.understanding.contracts import Understander
from insight.understanding.metadata import FAQ_INTENT
from insight.understanding.reader import TransformerUnderstander


class ReaderAsks:
    """``AskedReader`` over an ``Understander``; ``name`` identifies its model."""

    def __init__(self, understander: Understander, name: str) -> None:
        self.understander = understander
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def asked(self, texts: Sequence[str]) -> list[bool]:
        readings = self.understander.read_many(texts)
        return [r.sure and r.intent is not None and r.intent.name == FAQ_INTENT for r in readings]


def asked_reader_from_settings(settings: Settings) -> ReaderAsks:
    """The shop's intent reader; its model loads only if an FAQ build needs it."""
    folder: Path = artefact_path(settings.cache_dir)
    return ReaderAsks(TransformerUnderstander(model_dir=folder, threads=None), folder.name)
