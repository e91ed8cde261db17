"""Start, watch and stop the ShopSense processes: action server, Rasa server and gateway.

``make run`` calls ``python -m bot.stack``; the live tests use :class:`Stack` as a context
manager with their own ports, database and tracker store.
"""

from __future__ import annotations

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

import httpx

from insight.agents import DEMO_AGENT_PASSWORD, DEMO_AGENTS
from insight.settings import PROJECT_ROOT, Settings

ORDER = ("actions", "rasa", "gateway")


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
        )

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

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


def _tracker_env(url: str) -> dict[str, str]:
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    database = url.rsplit("/", 1)[-1] if dialect != "sqlite" else url.removeprefix("sqlite:///")
    return {"TRACKER_DIALECT": dialect, "TRACKER_URL": url, "TRACKER_DB": database}


class Stack:
    """The three ShopSense processes, started in dependency order and stopped in reverse."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self._processes = {name: self._describe(name) for name in ORDER}

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
        }
        logs = c.state_dir / "logs"
        if name == "actions":
            return _Process(
                name,
                [
                    str(c.python),
                    "-m",
                    "rasa_sdk",
                    "--actions",
                    "actions",
                    "--port",
                    str(c.action_port),
                ],
                {**base_env, "PYTHONPATH": str(PROJECT_ROOT)},
                f"{c.action_url}/health",
                logs / "actions.log",
            )
        if name == "rasa":
            env = {k: v for k, v in base_env.items() if k != "PYTHONPATH"}
            env |= {"ACTION_ENDPOINT_URL": f"{c.action_url}/webhook", **_tracker_env(c.tracker_url)}
            return _Process(
                name,
                [
                    str(c.rasa_bin),
                    "run",
                    "--model",
                    str(c.rasa_model),
                    "--enable-api",
                    "--auth-token",
                    c.rasa_api_token,
                    "--interface",
                    "127.0.0.1",
                    "--port",
                    str(c.rasa_port),
                    "--endpoints",
                    "endpoints.yml",
                    "--credentials",
                    "credentials.yml",
                ],
                env,
                f"{c.rasa_url}/status?token={c.rasa_api_token}",
                logs / "rasa.log",
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
            ],
            {
                **base_env,
                "PYTHONPATH": str(PROJECT_ROOT),
                "RASA_URL": c.rasa_url,
                "RASA_API_TOKEN": c.rasa_api_token,
            },
            f"{c.gateway_url}/healthz",
            logs / "gateway.log",
        )

    def start(self, timeout_s: float = 240.0, only: tuple[str, ...] = ORDER) -> None:
        for name in only:
            self._launch(self._processes[name])
        deadline = time.monotonic() + timeout_s
        for name in only:
            self._wait_healthy(self._processes[name], deadline)

    def _launch(self, process: _Process) -> None:
        process.log_path.parent.mkdir(parents=True, exist_ok=True)
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

    def stop(self, only: tuple[str, ...] = tuple(reversed(ORDER))) -> None:
        for name in only:
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
    settings = Settings.from_env()
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
    agents = " or ".join(username for username, _ in DEMO_AGENTS)
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
