"""Latency of one emotion detection on CPU (``python -m insight bench emotion`` → ``emotion_ms``).

Each timed call is what the action server does per shopper turn: one message, batch of one,
after ``warm_up``, with the detector's default of one torch thread. The messages are the
hand-written training ones (varied lengths, typos and emojis); content does not matter for speed.
The machine's load average is recorded with the figures, since other work on a small machine
moves them a lot.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from insight.emotion import data
from insight.emotion.base import EmotionDetector
from insight.emotion.detector import TransformerEmotionDetector
from insight.emotion.train import build_emotion_model
from insight.results import update_results

WARM_UP_CALLS = 10


def time_detector(detector: EmotionDetector, messages: list[str], runs: int) -> dict[str, Any]:
    """p50 / p95 / max of ``runs`` single-message ``detect`` calls, in milliseconds."""
    detector.warm_up()
    return time_calls(detector.detect, messages, runs)


def time_calls(call: Callable[[str], object], messages: list[str], runs: int) -> dict[str, Any]:
    """p50 / p95 / max of ``runs`` calls of ``call`` on one message each (after a few untimed)."""
    for message in messages[:WARM_UP_CALLS]:
        call(message)
    timings = []
    for number in range(runs):
        started = time.perf_counter()
        call(messages[number % len(messages)])
        timings.append((time.perf_counter() - started) * 1000)
    values = np.asarray(timings)
    return {
        "p50": round(float(np.percentile(values, 50)), 2),
        "p95": round(float(np.percentile(values, 95)), 2),
        "max": round(float(values.max()), 2),
        "runs": runs,
    }


def run_emotion_bench(cache_dir: Path, runs: int = 300) -> dict[str, Any]:
    """Build the model if needed, time it and record ``bench`` → ``emotion_ms``."""
    build = build_emotion_model(cache_dir)
    load_before = os.getloadavg()[0]
    messages = [example.text for example in data.load_labelled(data.HANDWRITTEN_FILE)]
    result = time_detector(TransformerEmotionDetector(model_dir=build.path), messages, runs)
    result["torch_threads"] = torch.get_num_threads()
    result["load_1m_before"] = round(load_before, 2)
    update_results("bench", "emotion_ms", result)
    return result
