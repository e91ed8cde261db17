#!/bin/sh
# Entry point of the ShopSense images: write the logging configuration bot/stack.py gives every
# process (insight.redaction: one handler on stderr that turns emails, phone and card numbers into
# [email], [phone], [card]) at SHOPSENSE_LOG_LEVEL, then run the container's command.
set -eu
python -c 'import json, os, sys; from insight.redaction import logging_config
json.dump(logging_config(os.environ.get("SHOPSENSE_LOG_LEVEL", "INFO")), sys.stdout)' \
  > "$SHOPSENSE_STATE/logging.json"
exec "$@"
