#!/usr/bin/env bash
# Print the path of a working Python 3.10 (Rasa 3.6 needs < 3.11): PATH first, then pyenv.
set -euo pipefail
candidates=()
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
if command -v pyenv >/dev/null 2>&1; then
  for p in "$(pyenv root)"/versions/3.10.*/bin/python3.10; do [ -x "$p" ] && candidates+=("$p"); done
fi
for p in "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
  [ -x "$p" ] && candidates+=("$p")
done
for p in "${candidates[@]}"; do
  if "$p" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "$p"; exit 0
  fi
done
cat >&2 <<'MSG'
error: Rasa 3.6 needs Python 3.10, and none was found on PATH or under pyenv.
Install one, then run make again:
  pyenv install 3.10.13            # with pyenv (https://github.com/pyenv/pyenv)
  apt-get install python3.10-venv  # or your distribution's package, where it has one
MSG
exit 1
