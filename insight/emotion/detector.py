"""The fine-tuned transformer behind ``EmotionDetector``, loaded on first use."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch
from transformers import PreTrainedTokenizerBase
from transformers.utils import logging as hf_logging

from insight.emotion import model
from insight.emotion.base import LABELS, Emotion, as_label
from insight.emotion.train import artefact_path
from insight.settings import Settings

Probabilities = npt.NDArray[np.float32]


@dataclass(frozen=True)
class _Loaded:
    net: model.MessageNet
    tokenizer: PreTrainedTokenizerBase
    meta: model.Meta


class TransformerEmotionDetector:
    """Emotion and polarity from the model that ``python -m insight build emotion`` saved.

    ``model_dir`` is the artefact folder; by default it is the one whose fingerprint matches the
    current training data and code (so a stale model is never picked up). ``polarity`` is
    P(positive) − P(negative) from the polarity head.

    ``threads`` sets torch's intra-op threads for the whole process when the model loads (None
    leaves them alone). One thread suits one short message per call: splitting such small
    matrices across cores gains little, and on a busy machine the threads wait for each other
    (on 2 shared cores under load, p50 went from 19 ms with one thread to 149 ms with two).
    """

    def __init__(
        self, model_dir: Path | None = None, cache_dir: Path | None = None, threads: int | None = 1
    ) -> None:
        self.model_dir = model_dir
        self.cache_dir = cache_dir
        self.threads = threads
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()
        self._tokenizer_lock = threading.Lock()

    def warm_up(self) -> None:
        self._load()

    def _resolve_dir(self) -> Path:
        if self.model_dir is not None:
            return self.model_dir
        return artefact_path(self.cache_dir or Settings.from_env().cache_dir)

    def _load(self) -> _Loaded:
        with self._lock:
            if self._loaded is None:
                folder = self._resolve_dir()
                if not (folder / model.META_FILE).exists():
                    raise FileNotFoundError(
                        f"no emotion model at {folder}; run `python -m insight build emotion`"
                    )
                if self.threads is not None:
                    torch.set_num_threads(self.threads)
                hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call, unused-ignore]
                self._loaded = _Loaded(*model.load(folder))
            return self._loaded

    def predict_proba(
        self, texts: Sequence[str], batch_size: int = 64
    ) -> tuple[Probabilities, Probabilities]:
        """Emotion probabilities (columns in ``LABELS`` order) and polarity class probabilities
        (negative, neutral, positive) for each text."""
        loaded = self._load()
        emotions, polarities = [], []
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                with self._tokenizer_lock:  # a fast tokenizer is not safe across threads
                    batch = model.tokenize(
                        loaded.tokenizer, texts[start : start + batch_size], loaded.meta.max_length
                    )
                logits = loaded.net(**batch)
                emotions.append(logits.emotion.softmax(dim=-1).numpy())
                polarities.append(logits.polarity.softmax(dim=-1).numpy())
        width = (len(loaded.meta.labels), len(loaded.meta.polarity_classes))
        return (
            np.concatenate(emotions).astype(np.float32)
            if emotions
            else np.zeros((0, width[0]), np.float32),
            np.concatenate(polarities).astype(np.float32)
            if polarities
            else np.zeros((0, width[1]), np.float32),
        )

    def detect_many(self, texts: Sequence[str]) -> list[Emotion]:
        emotion_probs, polarity_probs = self.predict_proba(texts)
        meta = self._load().meta
        return [
            emotion_from(emotion_row, polarity_row, meta)
            for emotion_row, polarity_row in zip(emotion_probs, polarity_probs, strict=True)
        ]

    def detect(self, text: str) -> Emotion:
        if not text.strip():
            return Emotion(
                "neutral", 1.0, 0.0, {label: float(label == "neutral") for label in LABELS}
            )
        return self.detect_many([text])[0]


def emotion_from(
    emotion_probs: npt.NDArray[np.float32],
    polarity_probs: npt.NDArray[np.float32],
    meta: model.Meta,
) -> Emotion:
    """The reading of one message from its emotion and polarity class probabilities."""
    labels = [as_label(name) for name in meta.labels]
    best = int(emotion_probs.argmax())
    negative = meta.polarity_classes.index("negative")
    positive = meta.polarity_classes.index("positive")
    return Emotion(
        label=labels[best],
        confidence=float(emotion_probs[best]),
        polarity=float(polarity_probs[positive] - polarity_probs[negative]),
        scores={label: float(p) for label, p in zip(labels, emotion_probs, strict=True)},
    )
