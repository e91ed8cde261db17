"""What each ShopSense process is: its command line, environment, health check and log file,
described from one :class:`StackConfig` (``bot.stack`` starts, watches and stops them).

Every process binds 127.0.0.1 only (the gateway binds ``GATEWAY_HOST``) and logs through
``insight.redaction``'s filter, so emails, phone numbers and card numbers never reach a log file.
Several Rasa servers (``rasa``, ``rasa-2``, …) can run behind the gateway: they share the SQL
tracker store and need a Redis lock store (``StackConfig.lock_store_url``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, urlsplit

from insight.settings import PROJECT_ROOT, Settings


class StackError(RuntimeError):
    pass


@dataclass(frozen=True)
class StackConfig:
    python: Path
    rasa_bin: Path
    rasa_model: Path
    database_url: str
    tracker_url: str
    state_dir: Path
    host: str
    gateway_port: int
    rasa_port: int
    action_port: int
    rasa_api_token: str
    extra_env: Mapping[str, str] = field(default_factory=dict)
    # More Rasa servers behind the gateway (ports of rasa-2, rasa-3, …); they need the lock store.
    extra_rasa_ports: tuple[int, ...] = ()
    # redis://host:port/db?prefix=name; None keeps Rasa's in-memory lock store (one server).
    lock_store_url: str | None = None
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, settings: Settings | None = None) -> StackConfig:
        settings = settings or Settings.from_env()
        missing = [
            v for v in ("SHOPSENSE_RASA_BIN", "SHOPSENSE_RASA_MODEL") if not os.environ.get(v)
        ]
        if missing:
            raise StackError(f"{', '.join(missing)} not set: start the stack with `make run`")
        return cls(
            python=Path(sys.executable),
            rasa_bin=Path(os.environ["SHOPSENSE_RASA_BIN"]),
            rasa_model=Path(os.environ["SHOPSENSE_RASA_MODEL"]),
            database_url=settings.database_url,
            tracker_url=os.environ.get(
                "TRACKER_URL", f"sqlite:///{settings.state_dir / 'rasa-tracker.db'}"
            ),
            state_dir=settings.state_dir,
            host=settings.gateway_host,
            gateway_port=settings.gateway_port,
            rasa_port=int(os.environ.get("RASA_PORT", "5005")),
            action_port=settings.action_server_port,
            rasa_api_token=settings.rasa_api_token,
            log_level=os.environ.get("SHOPSENSE_LOG_LEVEL", "INFO"),
        )

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def rasa_ports(self) -> dict[str, int]:
        """Each Rasa server's process name and port."""
        extra = {f"rasa-{n}": port for n, port in enumerate(self.extra_rasa_ports, start=2)}
        return {"rasa": self.rasa_port} | extra

    @property
    def logging_file(self) -> Path:
        return self.state_dir / "logging.json"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"


@dataclass
class Process:
    """One process of the stack: how to start it, where it answers and logs; ``popen`` and
    ``log`` while it runs."""

    name: str
    argv: list[str]
    env: dict[str, str]
    health_url: str
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None


# One compute thread per model call in the action server and the gateway (the emotion model):
# they share the machine with Rasa, and torch's default (a thread per core) makes each call wait
# for busy cores; on the 2-core benchmark machine a sentence embedding took 191 ms (p50) with two
# threads and 33 ms with one.
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}


def tracker_env(url: str) -> dict[str, str]:
    """The tracker store section of endpoints.yml, filled from the SQL URL."""
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    database = url.rsplit("/", 1)[-1] if dialect != "sqlite" else url.removeprefix("sqlite:///")
    return {"TRACKER_DIALECT": dialect, "TRACKER_URL": url, "TRACKER_DB": database}


def lock_store_env(url: str | None) -> dict[str, str]:
    """The ``lock_store`` section of endpoints.yml, filled from ``redis://host:port/db?prefix=``."""
    if url is None:
        return {
            "LOCK_STORE_TYPE": "in_memory",
            "LOCK_STORE_HOST": "",
            "LOCK_STORE_PORT": "",
            "LOCK_STORE_DB": "",
            "LOCK_STORE_PREFIX": "",
        }
    parts = urlsplit(url)
    return {
        "LOCK_STORE_TYPE": "bot.rasa_locks.AtomicRedisLockStore",  # Redis, done atomically
        "LOCK_STORE_HOST": parts.hostname or "127.0.0.1",
        "LOCK_STORE_PORT": str(parts.port or 6379),
        "LOCK_STORE_DB": parts.path.strip("/") or "1",
        "LOCK_STORE_PREFIX": parse_qs(parts.query).get("prefix", [""])[0],
    }


def describe(name: str, config: StackConfig) -> Process:
    """The process ``name`` (``actions``, a Rasa server of ``config.rasa_ports``, ``gateway``)."""
    base_env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "RASA_TELEMETRY_ENABLED": "false",
        "DATABASE_URL": config.database_url,
        "SHOPSENSE_STATE": str(config.state_dir),
        **config.extra_env,
        # every process checks it (insight.settings.startup_settings); Rasa serves with it
        "RASA_API_TOKEN": config.rasa_api_token,
    }
    logs = config.state_dir / "logs"
    if name == "actions":
        return Process(
            name,
            [
                str(config.python),
                "-m",
                "actions",
                "--port",
                str(config.action_port),
                "--logging-config_file",
                str(config.logging_file),
            ],
            {
                **base_env,
                "PYTHONPATH": str(PROJECT_ROOT),
                **ONE_THREAD,
                "SANIC_HOST": "127.0.0.1",
            },
            f"{config.action_url}/health",
            logs / "actions.log",
        )
    if name in config.rasa_ports:
        port = config.rasa_ports[name]
        # The checkout is on PYTHONPATH for bot.rasa_server and insight.redaction (both use
        # the standard library and Rasa's own packages only).
        env = {**base_env, "PYTHONPATH": str(PROJECT_ROOT)}
        env |= {
            "ACTION_ENDPOINT_URL": f"{config.action_url}/webhook",
            **tracker_env(config.tracker_url),
            **lock_store_env(config.lock_store_url),
            "LOG_LEVEL": config.log_level,  # Rasa sets its own loggers' level from this
        }
        return Process(
            name,
            [
                str(config.rasa_bin.parent / "python"),  # Rasa's venv, through bot.rasa_server
                "-m",
                "bot.rasa_server",
                "run",
                "--model",
                str(config.rasa_model),
                "--enable-api",
                "--interface",
                "127.0.0.1",
                "--port",
                str(port),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
                "--logging-config-file",
                str(config.logging_file),
            ],
            env,
            f"http://127.0.0.1:{port}/status?token={config.rasa_api_token}",
            logs / f"{name}.log",
        )
    return Process(
        name,
        [
            str(config.python),
            "-m",
            "uvicorn",
            "bot.app:create_app",
            "--factory",
            "--host",
            config.host,
            "--port",
            str(config.gateway_port),
            "--no-access-log",
            "--log-config",
            str(config.logging_file),
        ],
        {
            **base_env,
            "PYTHONPATH": str(PROJECT_ROOT),
            **ONE_THREAD,
            "RASA_URL": ",".join(f"http://127.0.0.1:{p}" for p in config.rasa_ports.values()),
        },
        f"{config.gateway_url}/healthz",
        logs / "gateway.log",
    )
