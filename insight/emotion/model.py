"""The network: the MiniLM encoder, mean pooling and three heads (emotion, 3-class polarity,
intent) over one shared pass.

Saved as ``encoder/`` (``save_pretrained`` for the weights and the tokenizer), ``heads.pt`` and
``meta.json``; only the encoder architecture comes from ``transformers``, nothing from a hub.
"""

from __future__ import annotations

import copy
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NamedTuple

import torch
from torch import Tensor, nn
from transformers import AutoModel, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

ENCODER_FOLDER = "encoder"
HEADS_FILE = "heads.pt"
META_FILE = "meta.json"


def mean_pool(hidden: Tensor, attention_mask: Tensor) -> Tensor:
    """Average of the token vectors, ignoring padding (how all-MiniLM-L6-v2 was trained)."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)


class Logits(NamedTuple):
    emotion: Tensor
    polarity: Tensor
    intent: Tensor


class MessageNet(nn.Module):
    """The fine-tuned encoder with one linear head per task on the mean-pooled output."""

    def __init__(
        self,
        encoder: PreTrainedModel,
        emotions: int,
        polarities: int,
        intents: int,
        dropout: float,
    ) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = int(encoder.config.hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.emotion_head = nn.Linear(hidden, emotions)
        self.polarity_head = nn.Linear(hidden, polarities)
        self.intent_head = nn.Linear(hidden, intents)

    def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Logits:
        """The three heads' logits for a padded batch."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.classify(hidden, attention_mask)

    def classify(self, hidden: Tensor, attention_mask: Tensor) -> Logits:
        """The heads on top of the encoder's last hidden states."""
        pooled = self.dropout(mean_pool(hidden, attention_mask))
        return Logits(
            self.emotion_head(pooled), self.polarity_head(pooled), self.intent_head(pooled)
        )


class _PassThrough(nn.Module):
    """Stands in for the embeddings of a model view that starts from cached hidden states."""

    def forward(self, inputs_embeds: Tensor | None = None, **_: object) -> Tensor:
        if inputs_embeds is None:
            raise ValueError("this encoder view takes hidden states as inputs_embeds")
        return inputs_embeds


def split_encoder(
    encoder: PreTrainedModel, top_layers: int
) -> tuple[PreTrainedModel, PreTrainedModel]:
    """Two views that share ``encoder``'s modules: its bottom (embeddings and all but the last
    ``top_layers`` layers) and its top, which takes the bottom's output as ``inputs_embeds``.

    ``top(inputs_embeds=bottom(ids, mask).last_hidden_state, attention_mask=mask)`` equals
    ``encoder(ids, mask)``; training the top changes the encoder itself.
    """
    layers = encoder.get_submodule("encoder.layer")
    if not isinstance(layers, nn.ModuleList):
        raise TypeError(f"{type(encoder).__name__} is not a BERT-style encoder")
    cut = len(layers) - top_layers

    def view(start: int, stop: int) -> PreTrainedModel:
        config = copy.deepcopy(encoder.config)
        config.num_hidden_layers = stop - start
        part: PreTrainedModel = type(encoder)(config, add_pooling_layer=False)
        part.get_submodule("encoder").layer = nn.ModuleList(layers[start:stop])
        return part

    bottom, top = view(0, cut), view(cut, len(layers))
    bottom.embeddings = encoder.embeddings
    top.embeddings = _PassThrough()
    return bottom, top


@dataclass(frozen=True)
class Meta:
    """What a saved model needs besides its weights to turn logits into answers.

    ``intent_temperature`` divides the intent logits before the softmax (fitted on the validation
    split, so confidences are calibrated); ``intent_threshold`` is the calibrated confidence below
    which the top intent is not trusted (chosen on the same split). ``top_layers`` is how many of
    the encoder's top layers were fine-tuned: the layers below are the packaged MiniLM's own.
    """

    labels: tuple[str, ...]
    polarity_classes: tuple[str, ...]
    intents: tuple[str, ...]
    max_length: int
    dropout: float
    top_layers: int
    intent_temperature: float
    intent_threshold: float
    details: dict[str, Any]


def prepare(text: str) -> str:
    """Make visible to the uncased WordPiece vocabulary what it would otherwise lose.

    Emojis are all ``[UNK]`` to it, so each becomes its Unicode name ("pouting face"); joiners,
    variation selectors and skin tones are dropped. Lower-casing hides shouting, so a message
    written mostly in capitals gets a trailing "(shouting)".
    """
    letters = [char for char in text if char.isalpha()]
    shouting = len(letters) >= 6 and sum(char.isupper() for char in letters) >= 0.8 * len(letters)
    pieces = []
    for char in text:
        if unicodedata.category(char) == "So":
            name = _SYMBOL_NAMES.get(char) or unicodedata.name(char, "symbol").lower()
            pieces.append(f" {name} ")
        elif char not in _INVISIBLE and not 0x1F3FB <= ord(char) <= 0x1F3FF:
            pieces.append(char)
    prepared = " ".join("".join(pieces).split())
    return f"{prepared} {SHOUTING_MARKER}" if shouting else prepared


SHOUTING_MARKER = "(shouting)"


_INVISIBLE = frozenset({"\u200d", "\ufe0e", "\ufe0f"})
# Common symbols whose Unicode names mislead ("black" meant "filled" in 1990s character names).
_SYMBOL_NAMES = {"❤": "red heart", "♥": "heart", "☺": "smiling face", "☹": "frowning face"}


def tokenize(
    tokenizer: PreTrainedTokenizerBase, texts: Sequence[str], max_length: int
) -> dict[str, Tensor]:
    encoded = tokenizer(
        [prepare(text) for text in texts],
        padding=True,
        truncation=True,
        max_length=max_length,
        return_tensors="pt",
    )
    return {"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"]}


def load_base(model_dir: Path, meta: Meta) -> tuple[MessageNet, PreTrainedTokenizerBase]:
    """The pre-trained encoder with freshly initialised heads (the starting point of training)."""
    encoder = AutoModel.from_pretrained(str(model_dir))
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    net = MessageNet(
        encoder, len(meta.labels), len(meta.polarity_classes), len(meta.intents), meta.dropout
    )
    return net, tokenizer


def save(net: MessageNet, tokenizer: PreTrainedTokenizerBase, meta: Meta, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    net.encoder.save_pretrained(str(folder / ENCODER_FOLDER))
    tokenizer.save_pretrained(str(folder / ENCODER_FOLDER))
    heads = {
        "emotion": net.emotion_head.state_dict(),
        "polarity": net.polarity_head.state_dict(),
        "intent": net.intent_head.state_dict(),
    }
    torch.save(heads, folder / HEADS_FILE)
    fields = {**asdict(meta), "details": meta.details}
    (folder / META_FILE).write_text(json.dumps(fields, indent=2) + "\n")


def load_meta(folder: Path) -> Meta:
    raw = json.loads((folder / META_FILE).read_text())
    return Meta(
        labels=tuple(raw["labels"]),
        polarity_classes=tuple(raw["polarity_classes"]),
        intents=tuple(raw["intents"]),
        max_length=int(raw["max_length"]),
        dropout=float(raw["dropout"]),
        top_layers=int(raw["top_layers"]),
        intent_temperature=float(raw["intent_temperature"]),
        intent_threshold=float(raw["intent_threshold"]),
        details=dict(raw["details"]),
    )


def load(folder: Path) -> tuple[MessageNet, PreTrainedTokenizerBase, Meta]:
    """A saved model in eval mode."""
    meta = load_meta(folder)
    net, tokenizer = load_base(folder / ENCODER_FOLDER, meta)
    heads = torch.load(folder / HEADS_FILE, weights_only=True)
    net.emotion_head.load_state_dict(heads["emotion"])
    net.polarity_head.load_state_dict(heads["polarity"])
    net.intent_head.load_state_dict(heads["intent"])
    net.eval()
    return net, tokenizer, meta
