"""One typed settings object, read from the environment in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


RATE_PER_CONNECTION = (8, 1.0)
RATE_PER_IP = (60, 20.0)
RATE_LOGINS = (10, 0.2)


def parse_rate(value: str | None, default: tuple[int, float]) -> tuple[int, float]:
    """A rate limit written ``"burst,per_second"`` (``"8,1"``: 8 at once, then 1 a second)."""
    if not value:
        return default
    burst, per_s = value.split(",")
    return int(burst), float(per_s)


def default_cache_dir() -> Path:
    """Where built artefacts (venvs, models, indexes, data) are cached, outside the checkout."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "shopsense"


@dataclass(frozen=True)
class Settings:
    database_url: str
    cache_dir: Path
    state_dir: Path
    knowledge_dir: Path
    gateway_host: str
    gateway_port: int
    rasa_url: str
    action_server_port: int
    rasa_api_token: str
    customer_token_secret: str
    desk_session_secret: str
    demo_tokens: bool
    agent_username: str | None
    agent_password: str | None
    # SHOPSENSE_NOW (ISO time) pins the clock that time rules such as the return window read:
    # the demo shop lives on a fixed day, the live tests on another. Unset: the real clock.
    frozen_now: datetime | None = None
    # Gateway rate limits as (burst, per second): each socket.io connection, each client IP
    # (widget events and the HTTP message API together) and agent desk logins per IP.
    rate_per_connection: tuple[int, float] = RATE_PER_CONNECTION
    rate_per_ip: tuple[int, float] = RATE_PER_IP
    rate_logins: tuple[int, float] = RATE_LOGINS

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        cache_dir = Path(env.get("SHOPSENSE_CACHE") or default_cache_dir())
        state_dir = Path(env.get("SHOPSENSE_STATE") or PROJECT_ROOT / "var")
        database_url = env.get("DATABASE_URL") or f"sqlite:///{state_dir / 'shop.db'}"
        rasa_port = int(env.get("RASA_PORT", "5005"))
        return cls(
            database_url=database_url,
            cache_dir=cache_dir,
            state_dir=state_dir,
            knowledge_dir=Path(env.get("SHOPSENSE_KNOWLEDGE") or PROJECT_ROOT / "knowledge"),
            gateway_host=env.get("GATEWAY_HOST", "127.0.0.1"),
            gateway_port=int(env.get("GATEWAY_PORT", "8080")),
            rasa_url=env.get("RASA_URL", f"http://127.0.0.1:{rasa_port}"),
            action_server_port=int(env.get("ACTION_SERVER_PORT", "5055")),
            rasa_api_token=env.get("RASA_API_TOKEN", "dev-rasa-token-change-me"),
            customer_token_secret=env.get(
                "CUSTOMER_TOKEN_SECRET", "dev-customer-token-secret-change-me-in-production"
            ),
            desk_session_secret=env.get(
                "DESK_SESSION_SECRET", "dev-desk-session-secret-change-me-in-production"
            ),
            demo_tokens=env.get("SHOPSENSE_DEMO_TOKENS", "") == "1",
            agent_username=env.get("AGENT_USERNAME") or None,
            agent_password=env.get("AGENT_PASSWORD") or None,
            frozen_now=datetime.fromisoformat(now) if (now := env.get("SHOPSENSE_NOW")) else None,
            rate_per_connection=parse_rate(
                env.get("GATEWAY_RATE_PER_CONNECTION"), RATE_PER_CONNECTION
            ),
            rate_per_ip=parse_rate(env.get("GATEWAY_RATE_PER_IP"), RATE_PER_IP),
            rate_logins=parse_rate(env.get("GATEWAY_RATE_LOGINS"), RATE_LOGINS),
        )
