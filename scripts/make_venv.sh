#!/usr/bin/env bash
# make_venv.sh VENV_DIR PYTHON LOCKFILE [NODEPS_FILE]
# Build a virtual environment from an exact lock file. The folder's name carries the lock's hash,
# so a changed lock builds a new one; ".complete" marks a finished build (a half-built folder
# left by an interrupted run is thrown away and rebuilt).
set -euo pipefail
venv=$1 python=$2 lock=$3 nodeps=${4:-}
if [ -f "$venv/.complete" ]; then exit 0; fi
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
echo "building $(basename "$venv") from $lock with $("$python" --version 2>&1) (a few minutes, once)"
"$python" -m venv "$venv"
pip() { "$venv/bin/python" -m pip --disable-pip-version-check -q "$@" 2> >(grep -v "^WARNING: Location" >&2); }
pip install --upgrade "pip==24.0"
pip install --no-deps -r "$lock"
[ -n "$nodeps" ] && pip install --no-deps -r "$nodeps"
# Report a lock that lost a dependency; packages installed on purpose without theirs are left out.
skip=$( [ -n "$nodeps" ] && sed 's/[=<>].*//' "$nodeps" | paste -sd'|' || true)
"$venv/bin/python" -m pip check 2>/dev/null | grep -viE "^(${skip:-^$}) |^No broken requirements" >&2 || true
touch "$venv/.complete"
