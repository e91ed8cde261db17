"""The Rasa server as ShopSense runs it: ``rasa`` itself, with its secrets checked and one
performance fix applied first.

``bot.stack`` starts ``<Rasa's venv>/bin/python -m bot.rasa_server run …`` with the ``rasa``
command's own arguments but for ``--auth-token``: it gets ``RASA_API_TOKEN`` here, once
``insight.settings.startup_settings`` accepted it, so the token is not on the command line for
every local user to read. This module runs in Rasa's environment (Python 3.10, Rasa 3.6 and its
dependencies), so it uses their syntax and their packages, and of ShopSense ``insight.settings``
only (the standard library alone).

The fix: Rasa 3.6 checks every action server response with ``jsonschema.validate``, which first
validates the *schema* against its meta-schema, on every call. That costs tens of milliseconds
per custom action (measured: ~54 ms against ~0.8 ms for the validation itself on the benchmark
machine), and a ShopSense turn calls two or three custom actions (the emotion slot action, then
the answer). Here the validator is built once; a response is checked against the same schema and
an invalid one is still rejected by Rasa's own code, with its own message.
"""

from __future__ import annotations

import sys
from typing import Any

from insight.settings import startup_settings


def _validate_action_results_with_a_prebuilt_validator() -> None:
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    checker = validators.validator_for(schema)
    checker.check_schema(schema)
    validator = checker(schema)
    reject = RemoteAction._validate_action_result

    def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        if validator.is_valid(result):
            return True
        return bool(reject(self, result))  # raises Rasa's ValidationError, as before

    RemoteAction._validate_action_result = validate_action_result


def main() -> None:
    settings = startup_settings()
    _validate_action_results_with_a_prebuilt_validator()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    sys.argv += ["--auth-token", settings.rasa_api_token]
    rasa_main()


if __name__ == "__main__":
    main()
