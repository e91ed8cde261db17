"""One typed settings object, read from the environment in one place.

This module also runs in Rasa's environment (``bot.rasa_server`` checks the secrets with it), so
it uses the standard library only and Python 3.10 syntax.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


RATE_PER_CONNECTION = (8, 1.0)
RATE_PER_IP = (60, 20.0)
RATE_LOGINS = (10, 0.2)

# What the secrets fall back to. They are public (they are written here), so they serve the demo
# only: outside demo mode startup_settings() refuses them, as it refuses short secrets.
DEV_RASA_API_TOKEN = "dev-rasa-token-change-me"
DEV_CUSTOMER_TOKEN_SECRET = "dev-customer-token-secret-change-me-in-production"
DEV_DESK_SESSION_SECRET = "dev-desk-session-secret-change-me-in-production"
DEV_SECRETS = frozenset({DEV_RASA_API_TOKEN, DEV_CUSTOMER_TOKEN_SECRET, DEV_DESK_SESSION_SECRET})
MIN_SECRET_LENGTH = 32
GENERATE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


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
class TokenKey:
    """A key customer tokens are signed with, and the id (``kid``) a token names it by."""

    secret: str
    kid: str | None = None


def parse_token_keys(value: str) -> tuple[TokenKey, ...]:
    """``CUSTOMER_TOKEN_SECRETS``: ``"kid2:secret2,kid1:secret1"``, the first signs, all verify.

    An entry without ``kid:`` is the key of tokens that name none, as tokens signed with a single
    ``CUSTOMER_TOKEN_SECRET`` do: that secret stays valid through the first rotation.
    """
    keys: list[TokenKey] = []
    for entry in value.split(","):
        kid, colon, secret = entry.strip().partition(":")
        key = TokenKey(secret, kid) if colon else TokenKey(kid)
        if not key.secret or key.kid == "":
            raise ValueError(f"CUSTOMER_TOKEN_SECRETS: {entry.strip()!r} is not kid:secret")
        if any(known.kid == key.kid for known in keys):
            raise ValueError(f"CUSTOMER_TOKEN_SECRETS names key {key.kid!r} twice")
        keys.append(key)
    return tuple(keys)


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
    customer_token_keys: tuple[TokenKey, ...]  # the first signs, every one verifies
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
    # SHOPSENSE_METRICS_TOKEN lets a scraper off this host read the gateway's /metrics.
    metrics_token: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        cache_dir = Path(env.get("SHOPSENSE_CACHE") or default_cache_dir())
        state_dir = Path(env.get("SHOPSENSE_STATE") or PROJECT_ROOT / "var")
        database_url = env.get("DATABASE_URL") or f"sqlite:///{state_dir / 'shop.db'}"
        rasa_port = int(env.get("RASA_PORT", "5005"))
        ring = env.get("CUSTOMER_TOKEN_SECRETS")
        single = env.get("CUSTOMER_TOKEN_SECRET", DEV_CUSTOMER_TOKEN_SECRET)
        return cls(
            database_url=database_url,
            cache_dir=cache_dir,
            state_dir=state_dir,
            knowledge_dir=Path(env.get("SHOPSENSE_KNOWLEDGE") or PROJECT_ROOT / "knowledge"),
            gateway_host=env.get("GATEWAY_HOST", "127.0.0.1"),
            gateway_port=int(env.get("GATEWAY_PORT", "8080")),
            rasa_url=env.get("RASA_URL", f"http://127.0.0.1:{rasa_port}"),
            action_server_port=int(env.get("ACTION_SERVER_PORT", "5055")),
            rasa_api_token=env.get("RASA_API_TOKEN", DEV_RASA_API_TOKEN),
            customer_token_keys=parse_token_keys(ring) if ring else (TokenKey(single),),
            desk_session_secret=env.get("DESK_SESSION_SECRET", DEV_DESK_SESSION_SECRET),
            demo_tokens=env.get("SHOPSENSE_DEMO_TOKENS", "") == "1",
            agent_username=env.get("AGENT_USERNAME") or None,
            agent_password=env.get("AGENT_PASSWORD") or None,
            frozen_now=datetime.fromisoformat(now) if (now := env.get("SHOPSENSE_NOW")) else None,
            rate_per_connection=parse_rate(
                env.get("GATEWAY_RATE_PER_CONNECTION"), RATE_PER_CONNECTION
            ),
            rate_per_ip=parse_rate(env.get("GATEWAY_RATE_PER_IP"), RATE_PER_IP),
            rate_logins=parse_rate(env.get("GATEWAY_RATE_LOGINS"), RATE_LOGINS),
            metrics_token=env.get("SHOPSENSE_METRICS_TOKEN") or None,
        )


def _weakness(name: str, secret: str | None) -> str | None:
    if not secret:
        return f"{name} is not set"
    if secret in DEV_SECRETS:
        return f"{name} is a development value, published in insight/settings.py"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"{name} is shorter than {MIN_SECRET_LENGTH} characters"
    return None


def _weak_secrets(env: Mapping[str, str]) -> list[str]:
    """Every process checks all three secrets: they run from one environment, and a deployment
    that lacks one hears it from whichever process starts first."""
    ring = env.get("CUSTOMER_TOKEN_SECRETS")
    weak: list[str | None]
    if ring and env.get("CUSTOMER_TOKEN_SECRET"):
        weak = ["CUSTOMER_TOKEN_SECRET and CUSTOMER_TOKEN_SECRETS are both set: keep one"]
    elif ring:
        weak = [
            _weakness(f"CUSTOMER_TOKEN_SECRETS key {key.kid or '(no kid)'}", key.secret)
            for key in parse_token_keys(ring)
        ]
    else:
        weak = [_weakness("CUSTOMER_TOKEN_SECRET", env.get("CUSTOMER_TOKEN_SECRET"))]
    weak += [_weakness(name, env.get(name)) for name in ("DESK_SESSION_SECRET", "RASA_API_TOKEN")]
    return [problem for problem in weak if problem]


def startup_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings a ShopSense process starts with (gateway, action server, Rasa, ``bot.stack``).

    Outside demo mode a missing, published or short secret ends the process here, saying what to
    set: anyone who knows a secret can forge customer tokens, agent logins or Rasa API calls.
    """
    env = os.environ if environ is None else environ
    try:
        settings = Settings.from_env(env)
        weak = [] if settings.demo_tokens else _weak_secrets(env)
    except ValueError as error:
        raise SystemExit(f"ShopSense will not start: {error}") from error
    if weak:
        raise SystemExit(
            "ShopSense will not start outside demo mode with these secrets:\n"
            + "".join(f"  - {problem}\n" for problem in weak)
            + f"Set each to a random value of at least {MIN_SECRET_LENGTH} characters, "
            f"generated with:\n  {GENERATE_SECRET}"
        )
    return settings
