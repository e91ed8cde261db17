"""Each ShopSense process, started for real, refuses to run outside demo mode with a missing,
published or short secret and says which variable to set; demo mode needs no set-up.

That the processes start with strong secrets is what the live and fault tests show: their stacks
run with fresh ones (``tests/stack_secrets.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from insight.db.engine import make_engine
from insight.db.migrate import upgrade
from insight.settings import DEV_CUSTOMER_TOKEN_SECRET, PROJECT_ROOT
from tests.ports import free_port
from tests.stack_secrets import StackSecrets

CONFIGURING = (
    "CUSTOMER_TOKEN_SECRET",
    "CUSTOMER_TOKEN_SECRETS",
    "DESK_SESSION_SECRET",
    "RASA_API_TOKEN",
    "SHOPSENSE_DEMO_TOKENS",
)
STRONG = StackSecrets.generate().env()
REFUSALS = {
    "missing": ({}, [f"{name} is not set" for name in sorted(STRONG)]),
    "published": (
        STRONG | {"CUSTOMER_TOKEN_SECRET": DEV_CUSTOMER_TOKEN_SECRET},
        ["CUSTOMER_TOKEN_SECRET is a development value"],
    ),
    "short": (
        STRONG | {"RASA_API_TOKEN": "x" * 31},
        ["RASA_API_TOKEN is shorter than 32 characters"],
    ),
}


@pytest.fixture(scope="module")
def base_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The test run's environment without any secret or demo switch, over a migrated database."""
    state = tmp_path_factory.mktemp("startup")
    database_url = f"sqlite:///{state / 'shop.db'}"
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    inherited = {name: value for name, value in os.environ.items() if name not in CONFIGURING}
    return inherited | {
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_URL": database_url,
        "SHOPSENSE_STATE": str(state),
        "SHOPSENSE_CACHE": str(state / "cache"),  # no models: the gateway answers without them
        "SANIC_HOST": "127.0.0.1",  # the action server's interface, as bot.stack sets it
        "RASA_TELEMETRY_ENABLED": "false",
        "HF_HUB_OFFLINE": "1",
    }


def _rasa_python() -> str:
    rasa_bin = os.environ.get("SHOPSENSE_RASA_BIN")
    if not (rasa_bin and Path(rasa_bin).exists()):
        pytest.fail(
            f"the Rasa wrapper runs in the Rasa venv: run with `make test` ({rasa_bin=})",
            pytrace=False,
        )
    return str(Path(rasa_bin).parent / "python")


def _stop(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """Stop the process and what it started (the action server's workers)."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _run(command: list[str], env: dict[str, str], timeout_s: float) -> tuple[int, str]:
    """Exit status and output of a command that should end by itself."""
    with subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            output, _ = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _stop(process)
            pytest.fail(f"{command[2]} was still running after {timeout_s:.0f} s")
    return process.returncode, output


def _command(process: str, port: int) -> list[str]:
    if process == "gateway":
        app = ["bot.app:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port)]
        return [sys.executable, "-m", "uvicorn", *app]
    if process == "actions":
        return [sys.executable, "-m", "actions", "--port", str(port)]
    if process == "rasa":
        return [_rasa_python(), "-m", "bot.rasa_server", "run", "--port", str(port)]
    return [sys.executable, "-m", "bot.stack"]


@pytest.mark.parametrize("case", sorted(REFUSALS))
@pytest.mark.parametrize("process", ["gateway", "actions", "rasa", "stack"])
def test_outside_demo_mode_a_process_refuses_unsafe_secrets(
    base_env: dict[str, str], process: str, case: str
) -> None:
    secrets, expected = REFUSALS[case]

    status, output = _run(_command(process, free_port()), base_env | secrets, timeout_s=90)

    assert status != 0
    assert [line for line in expected if line not in output] == []
    assert 'python -c "import secrets; print(secrets.token_urlsafe(48))"' in output


def _answers(url: str, process: subprocess.Popen[bytes], timeout_s: float = 90) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.3)
    return False


@pytest.mark.parametrize(("process", "health"), [("gateway", "/healthz"), ("actions", "/health")])
def test_the_gateway_and_the_action_server_start_in_demo_mode_with_no_set_up(
    base_env: dict[str, str], tmp_path: Path, process: str, health: str
) -> None:
    port, log = free_port(), tmp_path / f"{process}.log"
    with log.open("wb") as output:
        started = subprocess.Popen(
            _command(process, port),
            cwd=PROJECT_ROOT,
            env=base_env | {"SHOPSENSE_DEMO_TOKENS": "1"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            answered = _answers(f"http://127.0.0.1:{port}{health}", started)
        finally:
            _stop(started)

    assert answered, log.read_text(errors="replace")[-2000:]


def test_in_demo_mode_the_rasa_wrapper_hands_over_to_rasa(base_env: dict[str, str]) -> None:
    """``run --help``: Rasa's own command line answers, without loading a model for a minute."""
    command = [_rasa_python(), "-m", "bot.rasa_server", "run", "--help"]

    status, output = _run(command, base_env | {"SHOPSENSE_DEMO_TOKENS": "1"}, timeout_s=180)

    assert status == 0, output[-2000:]
    assert "usage: rasa run" in output
