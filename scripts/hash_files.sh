#!/usr/bin/env bash
# Print a short content hash of the named files (names included, order-independent).
set -euo pipefail
for f in $(printf '%s\n' "$@" | sort); do printf '%s\n' "$f"; cat "$f"; done | sha256sum | cut -c1-12
