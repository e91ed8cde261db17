"""The fine-tuned model's polarity head as a review scorer (``insight.profiles``' PolarityScorer).

On held-out Amazon review sentences the head beats VADER (accuracy 0.695 vs 0.600, see
``python -m insight eval emotion``), so profile builds prefer it when the model is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from insight.emotion.detector import TransformerEmotionDetector
from insight.emotion.train import ARTEFACTS_FOLDER

FloatArray = npt.NDArray[np.float64]
NAME_PREFIX = "minilm-polarity-"
_FOLDER_PREFIX = "emotion-"


def model_dir_for(name: str, cache_dir: Path) -> Path:
    """The folder of the model a ``TransformerPolarity`` of this ``name`` scored with."""
    if not name.startswith(NAME_PREFIX):
        raise ValueError(f"{name!r} is not a transformer polarity scorer")
    return cache_dir / ARTEFACTS_FOLDER / (_FOLDER_PREFIX + name.removeprefix(NAME_PREFIX))


class TransformerPolarity:
    """P(positive) − P(negative) per text from the polarity head, scored in batches.

    ``model_dir`` is a built model's folder; ``name`` carries the folder's fingerprint, so a
    refresh can tell whether the model that scored the last build is still the one at hand.
    """

    def __init__(self, model_dir: Path, threads: int | None = 1) -> None:
        self.model_dir = model_dir
        self.detector = TransformerEmotionDetector(model_dir=model_dir, threads=threads)

    @property
    def name(self) -> str:
        return NAME_PREFIX + self.model_dir.name.removeprefix(_FOLDER_PREFIX)

    def warm_up(self) -> None:
        self.detector.warm_up()

    def polarity(self, texts: Sequence[str]) -> FloatArray:
        """Each distinct text is scored once; similar lengths share a batch (less padding)."""
        codes, unique = pd.factorize(pd.Series(list(texts), dtype=object))
        if not len(unique):
            return np.zeros(0, dtype=np.float64)
        order = np.argsort([len(text) for text in unique], kind="stable")
        emotions = self.detector.detect_many([str(unique[i]) for i in order])
        scores = np.empty(len(unique), dtype=np.float64)
        scores[order] = [emotion.polarity for emotion in emotions]
        result: FloatArray = scores[codes]
        return result
