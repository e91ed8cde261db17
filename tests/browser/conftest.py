"""Browser tests: Debian's Chromium driven by Playwright (PyPI) against the real gateway process
and a scripted Rasa (tests/browser/fake_rasa.py), on a throwaway SQLite shop.

Chromium and the widget's socket.io asset are installed by the Makefile (`make chromium widget`,
both prerequisites of `make test`); when either is missing the tests fail and say so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from bot.pages import SOCKET_IO_CLIENT
from insight.customer_cards import CustomerCards
from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import upgrade
from insight.profiles.build import build_profiles
from insight.profiles.contracts import CustomerProfile
from insight.profiles.sentiment import VaderBaseline
from insight.settings import PROJECT_ROOT
from tests.factories import build_small_shop
from tests.ports import free_port

SCREENSHOTS = PROJECT_ROOT / "test-results" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
RASA_TOKEN = "browser-test-rasa-token"


@dataclass
class Servers:
    """The fake Rasa and the gateway, as processes; the gateway can be restarted."""

    state: Path
    env: dict[str, str]
    gateway_port: int
    rasa_port: int
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def profile_of(self, customer_ref: str) -> CustomerProfile:
        """The fused profile the desk should show for the customer the shop knows as ``ref``."""
        engine = make_engine(self.env["DATABASE_URL"])
        card = CustomerCards(make_sessionmaker(engine)).by_ref(customer_ref)
        engine.dispose()
        assert card is not None and card.profile is not None, f"no profile for {customer_ref}"
        return card.profile

    def _start(self, name: str, target: str, port: int) -> None:
        log = (self.state / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                target,
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
            ],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        health = f"http://127.0.0.1:{port}/" + ("healthz" if name == "gateway" else "")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                break
            try:
                if httpx.get(health, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        text = (self.state / f"{name}.log").read_text(errors="replace")
        raise RuntimeError(f"{name} did not start:\n{text[-3000:]}")

    def start(self) -> None:
        self._start("rasa", "tests.browser.fake_rasa:create_app", self.rasa_port)
        self.start_gateway()

    def start_gateway(self) -> None:
        self._start("gateway", "tests.browser.gateway_app:create_app", self.gateway_port)

    def stop_gateway(self) -> None:
        self._stop("gateway")

    def _stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop(self) -> None:
        for name in list(self.processes):
            self._stop(name)


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    state = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite:///{state / 'shop.db'}"
    engine = make_engine(database_url)
    upgrade(engine)
    build_small_shop(make_sessionmaker(engine))
    build_profiles(engine, scorer=VaderBaseline())  # the desk's customer card shows the profile
    engine.dispose()
    rasa_port, gateway_port = free_port(), free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_URL": database_url,
        "SHOPSENSE_STATE": str(state),
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "RASA_API_TOKEN": RASA_TOKEN,
        "FAKE_RASA_TOKEN": RASA_TOKEN,
        "SHOPSENSE_DEMO_TOKENS": "1",
    }
    running = Servers(state, env, gateway_port, rasa_port)
    try:
        running.start()
        yield running
    finally:
        running.stop()


# Module scope on purpose: a live sync_playwright keeps an event loop running in the main
# thread, which would break every later test that calls asyncio.run().
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail(
            "Chromium is not installed: run `make chromium` (Debian's chromium package); the "
            "browser tests never download a browser of their own.",
            pytrace=False,
        )
    if not SOCKET_IO_CLIENT.exists():
        pytest.fail(
            f"{SOCKET_IO_CLIENT.relative_to(PROJECT_ROOT)} is missing: run `make widget` "
            "(it copies the socket.io client from npm).",
            pytrace=False,
        )
    launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture(autouse=True)
def patient_expectations() -> None:
    expect.set_options(timeout=15_000)


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
