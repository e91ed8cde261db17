"""Fresh secrets for the stacks the tests start, drawn once per test run: outside demo mode every
ShopSense process refuses the published development values (``insight.settings``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class StackSecrets:
    rasa_api_token: str
    customer_token_secret: str
    desk_session_secret: str

    @classmethod
    def generate(cls) -> StackSecrets:
        return cls(*(secrets.token_urlsafe(48) for _ in range(3)))

    def env(self) -> dict[str, str]:
        return {
            "RASA_API_TOKEN": self.rasa_api_token,
            "CUSTOMER_TOKEN_SECRET": self.customer_token_secret,
            "DESK_SESSION_SECRET": self.desk_session_secret,
        }


STACK_SECRETS = StackSecrets.generate()
