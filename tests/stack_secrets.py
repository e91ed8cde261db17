"""Fresh secrets for the stacks the tests start, drawn once per test run: outside demo mode every
ShopSense process refuses the published development values (``insight.settings``)."""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.stack_processes import StackConfig
from tests.factories import TODAY
from tests.ports import free_port


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


def shop_stack_config(
    rasa_bin: Path, rasa_model: Path, database_url: str, state_dir: Path
) -> StackConfig:
    """A whole stack on free loopback ports over ``database_url``, with this run's secrets and
    the clock at the factories' ``TODAY`` (the test shop's dates, return windows included)."""
    return StackConfig(
        python=Path(sys.executable),
        rasa_bin=rasa_bin,
        rasa_model=rasa_model,
        database_url=database_url,
        tracker_url=f"sqlite:///{state_dir / 'tracker.db'}",
        state_dir=state_dir,
        host="127.0.0.1",
        gateway_port=free_port(),
        rasa_port=free_port(),
        action_port=free_port(),
        rasa_api_token=STACK_SECRETS.rasa_api_token,
        extra_env=STACK_SECRETS.env() | {"SHOPSENSE_NOW": TODAY.isoformat()},
    )
