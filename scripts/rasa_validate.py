"""Run ``rasa data validate`` and fail on every warning but one kind, which is checked instead.

Rasa warns about each response that no story or rule uses, also when a custom action sends it
(``dispatcher.utter_message(response="utter_x")``), which is how ShopSense's actions speak, and
about the ``utter_ask_<slot>`` questions that forms ask by themselves. Such a warning is accepted
only when a module under ``actions/`` really names that response or a form in ``domain.yml``
requires that slot. ``EXTERNAL_*`` intents, which the gateway triggers and no shopper types, may
lack NLU examples. Every other warning fails the check, as ``--fail-on-warnings`` would.

Usage: python scripts/rasa_validate.py PATH_TO_RASA_BINARY
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml  # type: ignore[import-untyped, unused-ignore]

ROOT = Path(__file__).resolve().parent.parent
UNUSED_RESPONSE = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule")
# Intents the gateway triggers (bot/handback.py) are never parsed from text, so have no examples.
TRIGGERED_ONLY = re.compile(r"The intent 'EXTERNAL_\w+' is listed in the domain file, but is not")
WARNING = re.compile(r"UserWarning: (?P<text>.*)|\bWARNING\s+rasa[\w.]*\s+-\s+(?P<log>.*)")


def responses_named_in_actions() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "actions").rglob("*.py"):
        names |= set(re.findall(r"[\"'](utter_\w+)[\"']", path.read_text()))
    return names


def questions_asked_by_forms() -> set[str]:
    forms = (yaml.safe_load((ROOT / "domain.yml").read_text()) or {}).get("forms") or {}
    return {
        name
        for form, spec in forms.items()
        for slot in (spec or {}).get("required_slots") or []
        for name in (f"utter_ask_{slot}", f"utter_ask_{form}_{slot}")
    }


def main(rasa: str) -> int:
    result = subprocess.run(
        [
            rasa,
            "data",
            "validate",
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--data",
            "data",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        print(output)
        return result.returncode
    spoken_by_actions = responses_named_in_actions() | questions_asked_by_forms()
    problems = []
    for line in output.splitlines():
        match = WARNING.search(line)
        if not match:
            continue
        unused = UNUSED_RESPONSE.search(line)
        if (unused and unused.group(1) in spoken_by_actions) or TRIGGERED_ONLY.search(line):
            continue
        problems.append((match.group("text") or match.group("log")).strip())
    for problem in problems:
        print(f"rasa data validate: {problem}")
    print(f"rasa data validate: {len(problems)} warning(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
