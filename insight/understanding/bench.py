"""What one shopper message costs to understand (``python -m insight bench understanding``).

Times, on one torch thread and in one run, the shared pass the gateway makes per message (all
heads, FAQ query vector and FAQ search: ``MessageUnderstanding.read``) against what it replaced:
the emotion model on its own, then the packaged sentence encoder and the FAQ search for the action
server's FAQ answer. Records ``bench`` → ``understanding_ms`` with both and their ratio, which
is what to compare on a noisy machine.
"""

from __future__ import annotations

import os
from typing import Any

import torch

from insight.emotion import data
from insight.emotion.bench import time_calls
from insight.emotion.detector import TransformerEmotionDetector
from insight.emotion.train import build_emotion_model
from insight.faq.index import FaissFaqIndex
from insight.results import update_results
from insight.settings import Settings
from insight.understanding.message import MessageUnderstanding
from insight.understanding.reader import TransformerUnderstander


def run_understanding_bench(settings: Settings, runs: int = 300) -> dict[str, Any]:
    build = build_emotion_model(settings.cache_dir)
    messages = [example.text for example in data.load_labelled(data.HANDWRITTEN_FILE)]
    faq = FaissFaqIndex.from_settings(settings)
    understanding = MessageUnderstanding(TransformerUnderstander(model_dir=build.path), faq)
    detector = TransformerEmotionDetector(model_dir=build.path)
    understanding.warm_up()
    detector.warm_up()
    faq.warm_up()
    torch.set_num_threads(1)  # the FAQ encoder may have asked for more while loading
    load_before = os.getloadavg()[0]

    def separately(text: str) -> None:
        detector.detect(text)
        faq.search(text, k=1)

    shared = time_calls(understanding.read, messages, runs)
    separate = time_calls(separately, messages, runs)
    result = {
        "shared_pass": shared,
        "separate_models": separate,
        "ratio_p50": round(shared["p50"] / separate["p50"], 3),
        "torch_threads": torch.get_num_threads(),
        "load_1m_before": round(load_before, 2),
    }
    update_results("bench", "understanding_ms", result)
    return result
