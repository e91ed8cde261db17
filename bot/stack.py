"""Start, watch and stop the ShopSense processes: action server, Rasa server(s) and gateway.

``make run`` calls ``python -m bot.stack``; the live tests use :class:`Stack` as a context
manager with their own ports, database and tracker store. What each process is (command line,
environment, health check) is ``bot.stack_processes``.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from bot.stack_processes import Process, StackConfig, StackError, describe
from insight.agents import DEMO_AGENT_PASSWORD, DEMO_AGENTS
from insight.redaction import logging_config
from insight.settings import PROJECT_ROOT, startup_settings

log = logging.getLogger(__name__)


class Stack:
    """The ShopSense processes, started in dependency order and stopped in reverse."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.names = ("actions", *config.rasa_ports, "gateway")
        self._processes = {name: describe(name, config) for name in self.names}
        # seconds from launch until each process answered, for the last start (benchmarks)
        self.ready_after_s: dict[str, float] = {}

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

    def _launch(self, process: Process) -> None:
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

    def _wait_healthy(self, process: Process, deadline: float) -> None:
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
