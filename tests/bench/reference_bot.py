"""The bare-Rasa reference assistant that ShopSense's turn latency is compared with.

It is generated from ShopSense's own files rather than kept as a copy: the same ``config.yml``
(pipeline and policies) and the same NLU data, a domain with the same intents and entities, and
one rule and one story per intent answering with a plain response. So it does the NLU and
dialogue work a ShopSense turn does, without custom actions, forms, the action server or the
gateway. The stories matter: TED learns from stories only, and Rasa leaves a policy without
training data out of the model, so a rules-only reference never ran the dialogue transformer
that predicts every ShopSense action.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from insight.settings import PROJECT_ROOT


def _inputs() -> list[Path]:
    return [
        PROJECT_ROOT / "config.yml",
        PROJECT_ROOT / "domain.yml",
        *sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")),
    ]


def _fingerprint(rasa_bin: Path) -> str:
    digest = hashlib.sha256(str(rasa_bin).encode())
    for path in _inputs():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:12]


def write_project(target: Path) -> None:
    """Write the reference project (config, domain, NLU, rules, stories) into ``target``."""
    domain: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    intents = [i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]]
    entities = [e if isinstance(e, str) else next(iter(e)) for e in domain.get("entities", [])]
    (target / "data").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "config.yml", target / "config.yml")
    for nlu in (PROJECT_ROOT / "data" / "nlu").glob("*.yml"):
        shutil.copy(nlu, target / "data" / nlu.name)
    reference_domain = {
        "version": "3.1",
        "intents": intents,
        "entities": entities,
        "responses": {f"utter_reply_{i}": [{"text": f"reference reply to {i}"}] for i in intents}
        | {"utter_default": [{"text": "reference fallback"}]},
    }
    (target / "domain.yml").write_text(yaml.safe_dump(reference_domain, sort_keys=False))
    answers = {i: [{"intent": i}, {"action": f"utter_reply_{i}"}] for i in intents}
    answers["nlu_fallback"] = [{"intent": "nlu_fallback"}, {"action": "utter_default"}]
    for kind in ("rule", "story"):
        written = [{kind: f"answer {i}", "steps": steps} for i, steps in answers.items()]
        plural = "rules" if kind == "rule" else "stories"
        (target / "data" / f"{plural}.yml").write_text(
            yaml.safe_dump({"version": "3.1", plural: written}, sort_keys=False)
        )


def reference_model(rasa_bin: Path, cache_dir: Path) -> Path:
    """The trained reference model, trained once per change of ShopSense's NLU and config."""
    model = cache_dir / "rasa-models" / f"reference-{_fingerprint(rasa_bin)}.tar.gz"
    if model.exists():
        return model
    model.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="shopsense-reference-") as folder:
        project = Path(folder)
        write_project(project)
        subprocess.run(
            [
                str(rasa_bin),
                "train",
                "--quiet",
                "--config",
                "config.yml",
                "--domain",
                "domain.yml",
                "--data",
                "data",
                "--out",
                str(model.parent),
                "--fixed-model-name",
                model.name.removesuffix(".tar.gz"),
            ],
            cwd=project,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return model
