"""``TransformerUnderstander``: the one encoder pass per message behind ``Understander``.

The fine-tuned model (``python -m insight build emotion``) changed only the encoder's top layers;
the layers below are the packaged MiniLM's own. So one pass runs those shared lower layers once
and then two tops on their output: the fine-tuned top feeds the intent, emotion and polarity
heads, the packaged top gives the sentence embedding the FAQ index was built with. That is 8
layer applications instead of the 12 of two separate encoders, and 6 for a message whose FAQ
query is never asked for (``Reading.query``).

The pass is bound by reading the layers' weights from memory, not by arithmetic (a 4-token message
costs nearly what a 16-token one does), so where the CPU multiplies bfloat16 natively the encoder
layers run in it: half the bytes, about 30% less time, and 99.5% of intents and 99.9% of emotions
read as in float32 (measured on the team's and the outside messages). The heads stay float32.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from transformers import AutoModel, PreTrainedModel, PreTrainedTokenizerBase
from transformers.utils import logging as hf_logging

from insight.embeddings import Vectors, minilm_model_dir, normalise_rows
from insight.emotion import model
from insight.emotion.base import Emotion
from insight.emotion.detector import emotion_from
from insight.emotion.train import artefact_path
from insight.settings import Settings
from insight.understanding.contracts import Reading
from insight.understanding.metadata import IntentGuess


@dataclass(frozen=True)
class _Loaded:
    net: model.MessageNet
    tokenizer: PreTrainedTokenizerBase
    meta: model.Meta
    shared: PreTrainedModel  # the packaged lower layers (identical in both encoders)
    tuned_top: PreTrainedModel
    packaged_top: PreTrainedModel
    marker_ids: torch.Tensor  # the shouting marker ``model.prepare`` appends, as token ids


def encoder_dtype() -> torch.dtype:
    """bfloat16 where the CPU has native bfloat16 arithmetic (AVX-512 BF16 or AMX), float32
    elsewhere, where bfloat16 would be emulated and slower than float32."""
    return torch.bfloat16 if torch.ops.mkldnn._is_mkldnn_bf16_supported() else torch.float32


class TransformerUnderstander:
    """Reads messages with the model the emotion build saved (the one matching today's data and
    code unless ``model_dir`` names another). ``threads`` sets torch's intra-op threads when the
    model loads (one suits one short message per call; see ``TransformerEmotionDetector``);
    ``dtype`` the encoder layers' number format (:func:`encoder_dtype` unless given)."""

    def __init__(
        self,
        model_dir: Path | None = None,
        cache_dir: Path | None = None,
        threads: int | None = 1,
        dtype: torch.dtype | None = None,
    ) -> None:
        self.model_dir = model_dir
        self.cache_dir = cache_dir
        self.threads = threads
        self.dtype = dtype or encoder_dtype()
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()
        self._tokenizer_lock = threading.Lock()

    def warm_up(self) -> None:
        self._load()

    def _load(self) -> _Loaded:
        with self._lock:
            if self._loaded is None:
                folder = self.model_dir or artefact_path(
                    self.cache_dir or Settings.from_env().cache_dir
                )
                if not (folder / model.META_FILE).exists():
                    raise FileNotFoundError(
                        f"no understanding model at {folder}; run `python -m insight build emotion`"
                    )
                if self.threads is not None:
                    torch.set_num_threads(self.threads)
                hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call, unused-ignore]
                net, tokenizer, meta = model.load(folder)
                shared, tuned_top = model.split_encoder(net.encoder, meta.top_layers)
                packaged = AutoModel.from_pretrained(str(minilm_model_dir())).eval()
                _, packaged_top = model.split_encoder(packaged, meta.top_layers)
                for part in (shared, tuned_top, packaged_top):
                    nn.Module.to(part, self.dtype)  # in place; the heads stay float32
                marker = tokenizer(model.SHOUTING_MARKER, add_special_tokens=False)["input_ids"]
                self._loaded = _Loaded(
                    net, tokenizer, meta, shared, tuned_top, packaged_top, torch.tensor(marker)
                )
            return self._loaded

    def read(self, text: str) -> Reading:
        return self.read_many([text])[0]

    def read_many(self, texts: Sequence[str], batch_size: int = 64) -> list[Reading]:
        loaded = self._load()
        readings: list[Reading] = []
        for start in range(0, len(texts), batch_size):
            readings += self._read_batch(loaded, texts[start : start + batch_size])
        return readings

    @torch.inference_mode()
    def _read_batch(self, loaded: _Loaded, texts: Sequence[str]) -> list[Reading]:
        # an empty message still gets a reading (neutral, no intent worth trusting)
        prepared = [text if text.strip() else "." for text in texts]
        with self._tokenizer_lock:  # a fast tokenizer is not safe across threads
            batch = model.tokenize(loaded.tokenizer, prepared, loaded.meta.max_length)
        mask = batch["attention_mask"]
        lower = loaded.shared(**batch).last_hidden_state
        tuned = loaded.tuned_top(inputs_embeds=lower, attention_mask=mask).last_hidden_state
        search_mask = _without_marker(batch["input_ids"], mask, loaded.marker_ids)
        logits = loaded.net.classify(tuned.float(), mask)
        emotions = logits.emotion.softmax(dim=-1).numpy()
        polarities = logits.polarity.softmax(dim=-1).numpy()
        intents = (logits.intent / loaded.meta.intent_temperature).softmax(dim=-1).numpy()
        readings = []
        for row, text in enumerate(texts):
            emotion = (
                emotion_from(emotions[row], polarities[row], loaded.meta)
                if text.strip()
                else Emotion("neutral", 1.0, 0.0)
            )
            order = intents[row].argsort()[::-1]
            ranking = tuple(
                IntentGuess(loaded.meta.intents[i], float(intents[row][i])) for i in order
            )
            query = _query(loaded, lower[row : row + 1], search_mask[row : row + 1])
            readings.append(Reading(ranking, loaded.meta.intent_threshold, emotion, query))
        return readings


def _query(loaded: _Loaded, lower: torch.Tensor, mask: torch.Tensor) -> Callable[[], Vectors]:
    """The FAQ query vector of one message, from the shared layers' output, made when asked."""

    @torch.inference_mode()
    def vector() -> Vectors:
        packaged = loaded.packaged_top(inputs_embeds=lower, attention_mask=mask).last_hidden_state
        return normalise_rows(model.mean_pool(packaged.float(), mask).numpy()).reshape(-1)

    return vector


def _without_marker(ids: torch.Tensor, mask: torch.Tensor, marker: torch.Tensor) -> torch.Tensor:
    """The attention mask with the shouting marker hidden, for the FAQ query vector.

    The marker tells the emotion head that the shopper wrote in capitals; the FAQ index was built
    from questions without it, and "WHERE IS MY PARCEL" asks what "where is my parcel" asks.
    The marker sits just before the final [SEP] when the text was not truncated before it.
    """
    hidden = mask.clone()
    width = len(marker)
    for row, length in enumerate(mask.sum(dim=1).tolist()):
        end = length - 1  # index of [SEP]
        if end - width > 0 and torch.equal(ids[row, end - width : end], marker):
            hidden[row, end - width : end] = 0
    return hidden
