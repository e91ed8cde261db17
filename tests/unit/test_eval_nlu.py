"""scripts/eval_nlu.py: figures read from Rasa's reports, recorded, checked against floors."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from insight.settings import PROJECT_ROOT


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "eval_nlu", PROJECT_ROOT / "scripts" / "eval_nlu.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _reports(folder: Path, intent_f1: float, entity_f1: float) -> Path:
    row = {"precision": 1.0, "recall": 1.0, "support": 4}
    (folder / "intent_report.json").write_text(
        json.dumps(
            {
                "greet": row | {"f1-score": 1.0},
                "goodbye": row | {"f1-score": 0.5},
                "accuracy": 0.9,
                "macro avg": row | {"f1-score": intent_f1, "support": 8},
                "weighted avg": row | {"f1-score": intent_f1, "support": 8},
            }
        )
    )
    (folder / "DIETClassifier_report.json").write_text(
        json.dumps(
            {
                "order_number": row | {"f1-score": entity_f1},
                "micro avg": row | {"f1-score": entity_f1, "support": 4},
                "macro avg": row | {"f1-score": entity_f1, "support": 4},
            }
        )
    )
    return folder


def test_figures_are_recorded_under_the_agreed_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPSENSE_EVAL_RESULTS", str(tmp_path / "eval"))
    reports = _reports(tmp_path, intent_f1=0.95, entity_f1=0.9)

    assert _script().main([str(reports), "--record"]) == 0

    recorded = json.loads((tmp_path / "eval" / "latest.json").read_text())
    assert {k: recorded["intent"][k] for k in ("macro_f1", "accuracy", "n")} == {
        "macro_f1": 0.95,
        "accuracy": 0.9,
        "n": 8,
    }
    assert recorded["intent"]["weakest"][0] == ["goodbye", 0.5]
    assert recorded["entities"]["micro_f1"] == 0.9


def test_figures_below_the_floors_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = _reports(tmp_path, intent_f1=0.8, entity_f1=0.9)

    assert _script().main([str(reports)]) == 1
    assert "intent macro-F1 0.800 < 0.9" in capsys.readouterr().err
    assert _script().main([str(reports), "--min-intent-f1", "0.75"]) == 0
