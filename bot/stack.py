"""Start, watch and stop the ShopSense processes: action server, Rasa server and gateway.

``make run`` calls ``python -m bot.stack``; the live tests use :class:`Stack` as a context
manager with their own ports, database and tracker store.

Every process binds 127.0.0.1 only (the gateway binds ``GATEWAY_HOST``) and logs through
``insight.redaction``'s filter, so emails, phone numbers and card numbers never reach a log file.
Several Rasa servers (``rasa``, ``rasa-2``, …) can run behind the gateway: they share the SQL
tracker store and need a Redis lock store (``StackConfig.lock_store_url``).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, urlsplit

import httpx

from insight.agents import DEMO_AGENT_PASSWORD, DEMO_AGENTS
from insight.redaction import logging_config
from insight.settings import PROJECT_ROOT, Settings, startup_settings

log = logging.getLogger(__name__)


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
class _Process:
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


def _tracker_env(url: str) -> dict[str, str]:
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


class Stack:
    """The ShopSense processes, started in dependency order and stopped in reverse."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.names = ("actions", *config.rasa_ports, "gateway")
        self._processes = {name: self._describe(name) for name in self.names}
        # seconds from launch until each process answered, for the last start (benchmarks)
        self.ready_after_s: dict[str, float] = {}

    def _describe(self, name: str) -> _Process:
        c = self.config
        base_env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "RASA_TELEMETRY_ENABLED": "false",
            "DATABASE_URL": c.database_url,
            "SHOPSENSE_STATE": str(c.state_dir),
            **c.extra_env,
            # every process checks it (insight.settings.startup_settings); Rasa serves with it
            "RASA_API_TOKEN": c.rasa_api_token,
        }
        logs = c.state_dir / "logs"
        if name == "actions":
            return _Process(
                name,
                [
                    str(c.python),
                    "-m",
                    "actions",
                    "--port",
                    str(c.action_port),
                    "--logging-config_file",
                    str(c.logging_file),
                ],
                {
                    **base_env,
                    "PYTHONPATH": str(PROJECT_ROOT),
                    **ONE_THREAD,
                    "SANIC_HOST": "127.0.0.1",
                },
                f"{c.action_url}/health",
                logs / "actions.log",
            )
        if name in c.rasa_ports:
            port = c.rasa_ports[name]
            # The checkout is on PYTHONPATH for bot.rasa_server and insight.redaction (both use
            # the standard library and Rasa's own packages only).
            env = {**base_env, "PYTHONPATH": str(PROJECT_ROOT)}
            env |= {
                "ACTION_ENDPOINT_URL": f"{c.action_url}/webhook",
                **_tracker_env(c.tracker_url),
                **lock_store_env(c.lock_store_url),
                "LOG_LEVEL": c.log_level,  # Rasa sets its own loggers' level from this
            }
            return _Process(
                name,
                [
                    str(c.rasa_bin.parent / "python"),  # Rasa's venv, through bot.rasa_server
                    "-m",
                    "bot.rasa_server",
                    "run",
                    "--model",
                    str(c.rasa_model),
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
                    str(c.logging_file),
                ],
                env,
                f"http://127.0.0.1:{port}/status?token={c.rasa_api_token}",
                logs / f"{name}.log",
            )
        return _Process(
            name,
            [
                str(c.python),
                "-m",
                "uvicorn",
                "bot.app:create_app",
                "--factory",
                "--host",
                c.host,
                "--port",
                str(c.gateway_port),
                "--no-access-log",
                "--log-config",
                str(c.logging_file),
            ],
            {
                **base_env,
                "PYTHONPATH": str(PROJECT_ROOT),
                **ONE_THREAD,
                "RASA_URL": ",".join(f"http://127.0.0.1:{p}" for p in c.rasa_ports.values()),
            },
            f"{c.gateway_url}/healthz",
            logs / "gateway.log",
        )

    def start(self, timeout_s: float = 240.0, only: tuple[str, ...] | None = None) -> None:
        only = self.names if only is None else only
        self.config.logging_file.parent.mkdir(parents=True, exist_ok=True)
        self.config.logging_file.write_text(json.dumps(logging_config(self.config.log_level)))
        launched = time.monotonic()
        for name in only:
            self._launch(self._processes[name])
        deadline = launched + timeout_s
        for name in only:
            self._wait_healthy(self._processes[name], deadline)
            if name == "actions":
                self._warm_up_actions(deadline)  # while Rasa is still loading its model
            self.ready_after_s[name] = round(time.monotonic() - launched, 1)

    def _warm_up_actions(self, deadline: float) -> None:
        """Have the action server load its models now (``actions/warm_up.py``), not during the
        first shopper's turn. If it cannot, the stack runs anyway: that turn loads them."""
        call = {"next_action": "action_warm_up", "tracker": {"sender_id": "warm-up"}, "domain": {}}
        try:
            response = httpx.post(
                f"{self.config.action_url}/webhook",
                json=call,
                timeout=max(1.0, deadline - time.monotonic()),
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            log.warning("the action server did not warm up (%r): its first turn will", error)

    def _launch(self, process: _Process) -> None:
        process.log_path.parent.mkdir(parents=True, exist_ok=True)
        if process.log:  # restarted after kill()
            process.log.close()
        process.log = process.log_path.open("ab")
        process.popen = subprocess.Popen(
            process.argv,
            cwd=PROJECT_ROOT,
            env=process.env,
            stdout=process.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _wait_healthy(self, process: _Process, deadline: float) -> None:
        while time.monotonic() < deadline:
            if process.popen is None or process.popen.poll() is not None:
                raise StackError(
                    f"{process.name} exited during start-up:\n{self.log_tail(process.name)}"
                )
            if self.is_healthy(process.name):
                return
            time.sleep(0.5)
        raise StackError(f"{process.name} did not answer in time:\n{self.log_tail(process.name)}")

    def is_healthy(self, name: str) -> bool:
        try:
            return httpx.get(self._processes[name].health_url, timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self._processes[name].log_path
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, only: tuple[str, ...] | None = None) -> None:
        for name in reversed(self.names) if only is None else only:
            process = self._processes[name]
            if process.popen and process.popen.poll() is None:
                os.killpg(process.popen.pid, signal.SIGTERM)
                try:
                    process.popen.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.popen.pid, signal.SIGKILL)
                    process.popen.wait()
            if process.log:
                process.log.close()
            process.popen = None

    def kill(self, name: str) -> None:
        """Kill one process without ceremony (fault tests)."""
        process = self._processes[name]
        if process.popen and process.popen.poll() is None:
            os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait()

    def pid(self, name: str) -> int | None:
        popen = self._processes[name].popen
        return popen.pid if popen else None

    def exited(self) -> list[str]:
        """Names of processes that were started and have since stopped."""
        return [
            name
            for name, process in self._processes.items()
            if process.popen is not None and process.popen.poll() is not None
        ]


@contextmanager
def running(config: StackConfig, timeout_s: float = 240.0) -> Iterator[Stack]:
    stack = Stack(config)
    try:
        stack.start(timeout_s)
        yield stack
    finally:
        stack.stop()


def main() -> int:
    settings = startup_settings()  # refused secrets stop here, before a minute of start-up
    config = StackConfig.from_env(settings)
    stack = Stack(config)
    started = time.monotonic()
    print("starting the action server, Rasa (about a minute) and the gateway …", flush=True)
    try:
        stack.start()
    except StackError as error:
        stack.stop()
        print(f"could not start ShopSense: {error}", file=sys.stderr)
        return 1
    agents = " or ".join(username for username, _, _ in DEMO_AGENTS)
    demo = f" (demo: {agents}, password {DEMO_AGENT_PASSWORD})" if settings.demo_tokens else ""
    print(
        f"\nShopSense is up after {time.monotonic() - started:.0f} s\n"
        f"  shopper widget  {config.gateway_url}/\n"
        f"  agent desk      {config.gateway_url}/desk{demo}\n"
        f"  gateway API     {config.gateway_url}/docs\n"
        f"  Rasa            {config.rasa_url}  (REST channel /webhooks/rest/webhook)\n"
        f"  logs            {config.state_dir / 'logs'}\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    stopping = False

    def _request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)
    try:
        while not stopping:
            time.sleep(0.5)
            for name in stack.exited():
                print(f"{name} stopped unexpectedly:\n{stack.log_tail(name)}", file=sys.stderr)
                stopping = True
    finally:
        print("\nstopping …", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
