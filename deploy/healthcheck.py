"""Container health check: exit 0 when the URL answers 200, 1 otherwise.

``python deploy/healthcheck.py 'http://127.0.0.1:5005/status?token=$RASA_API_TOKEN'``: ``$NAME``
in the URL is read from the container's environment, so a secret stays out of the compose file.
Standard library only: it runs in the Rasa image (Python 3.10) and the app image (3.11).
"""

from __future__ import annotations

import os
import sys
import urllib.request


def main(url: str) -> int:
    try:
        with urllib.request.urlopen(os.path.expandvars(url), timeout=5) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:  # refused, timed out, or an HTTP error status (503 …)
        print(f"not healthy: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
