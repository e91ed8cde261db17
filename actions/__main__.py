"""The action server: ``python -m actions [rasa-sdk's options]``.

rasa-sdk's own server for this package, started once ``startup_settings`` accepts the secrets.
rasa-sdk imports every module here, this one too: the guard below keeps that import inert.
"""

from __future__ import annotations

import sys

from rasa_sdk.__main__ import main as serve

from insight.settings import startup_settings


def main() -> None:
    startup_settings()
    sys.argv[1:1] = ["--actions", "actions"]  # options given after it still win
    serve()


if __name__ == "__main__":
    main()
