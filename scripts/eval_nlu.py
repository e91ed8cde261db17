"""Score the held-out NLU test set from the reports ``rasa test nlu`` wrote, and check a floor.

``rasa test nlu --nlu tests/nlu/heldout.yml --out DIR`` (Rasa venv) writes ``intent_report.json``
and ``DIETClassifier_report.json`` (scikit-learn classification reports); this script (app venv)
prints intent macro-F1, accuracy and entity micro-F1, records them with ``--record`` in
``eval-results/latest.json`` (sections ``intent`` and ``entities``) and exits 1 when a figure is
below its floor.

Usage: python scripts/eval_nlu.py REPORT_DIR [--record] [--min-intent-f1 F] [--min-entity-f1 F]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from insight.results import update_results

# The goal is 0.92; the floor that fails the build sits a little below it because retraining on
# two shared cores moves the held-out macro-F1 by about ±0.01 (0.926 and 0.911 were both seen).
INTENT_MACRO_F1_FLOOR = 0.90
ENTITY_MICRO_F1_FLOOR = 0.85
ENTITY_REPORT = "DIETClassifier_report.json"
SUMMARY_ROWS = ("accuracy", "macro avg", "micro avg", "weighted avg")


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise SystemExit(f"{path} is missing: run `rasa test nlu` into that folder first")
    report: dict[str, Any] = json.loads(path.read_text())
    return report


def scores(report_dir: Path) -> dict[str, dict[str, Any]]:
    intents = _read(report_dir / "intent_report.json")
    entities = _read(report_dir / ENTITY_REPORT)
    per_intent = {k: v for k, v in intents.items() if k not in SUMMARY_ROWS}
    per_entity = {k: v for k, v in entities.items() if k not in SUMMARY_ROWS}
    return {
        "intent": {
            "macro_f1": round(float(intents["macro avg"]["f1-score"]), 4),
            "accuracy": round(float(intents["accuracy"]), 4),
            "n": int(intents["macro avg"]["support"]),
            "weakest": sorted(
                ((name, round(float(row["f1-score"]), 3)) for name, row in per_intent.items()),
                key=lambda pair: pair[1],
            )[:5],
        },
        "entities": {
            "micro_f1": round(float(entities["micro avg"]["f1-score"]), 4),
            "n": int(entities["micro avg"]["support"]),
            "per_entity_f1": {
                name: round(float(row["f1-score"]), 3) for name, row in sorted(per_entity.items())
            },
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report_dir", type=Path)
    parser.add_argument("--record", action="store_true", help="write eval-results/latest.json")
    parser.add_argument("--min-intent-f1", type=float, default=INTENT_MACRO_F1_FLOOR)
    parser.add_argument("--min-entity-f1", type=float, default=ENTITY_MICRO_F1_FLOOR)
    args = parser.parse_args(argv)

    found = scores(args.report_dir)
    intent, entities = found["intent"], found["entities"]
    print(
        f"held-out NLU ({intent['n']} messages): intent macro-F1 {intent['macro_f1']:.3f}, "
        f"accuracy {intent['accuracy']:.3f}; entity micro-F1 {entities['micro_f1']:.3f} "
        f"({entities['n']} entities)"
    )
    print(f"  weakest intents: {intent['weakest']}")
    print(f"  entities: {entities['per_entity_f1']}")
    if args.record:
        update_results("eval", "intent", intent)
        update_results("eval", "entities", entities)
    failures = [
        f"{name} {value:.3f} < {floor:.2f}"
        for name, value, floor in (
            ("intent macro-F1", intent["macro_f1"], args.min_intent_f1),
            ("entity micro-F1", entities["micro_f1"], args.min_entity_f1),
        )
        if value < floor
    ]
    for failure in failures:
        print(f"held-out NLU below its floor: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
