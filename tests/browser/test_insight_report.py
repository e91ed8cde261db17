"""The insight report renders in Chromium without console errors and shows every plot."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright
from typer.testing import CliRunner

from insight.cli import app
from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import upgrade
from tests.profile_shop import AS_OF, build_profile_shop

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]


@pytest.fixture(scope="module")
def report_browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail(
            "Chromium is not installed: run `make chromium` or `apt-get install -y chromium` "
            "(Debian's package); the report test never downloads a browser.",
            pytrace=False,
        )
    launched = playwright.chromium.launch(executable_path=chromium, args=ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shop of tests/profile_shop.py, profiles built and the report written by the CLI."""
    folder = tmp_path_factory.mktemp("report")
    url = f"sqlite:///{folder / 'shop.db'}"
    engine = make_engine(url)
    upgrade(engine)
    build_profile_shop(make_sessionmaker(engine))
    engine.dispose()
    runner = CliRunner()
    built = runner.invoke(
        app, ["build", "profiles", "--database-url", url, "--as-of", AS_OF.isoformat()]
    )
    assert built.exit_code == 0, built.output
    assert "profiles as of 2026-11-20" in built.output
    out = folder / "report.html"
    written = runner.invoke(app, ["report", "--database-url", url, "--out", str(out)])
    assert written.exit_code == 0, written.output
    return out


def test_the_report_renders_every_plot_without_console_errors(
    report_browser: Browser, report_file: Path
) -> None:
    page = report_browser.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(report_file.as_uri())
    page.wait_for_load_state("load")
    widths = page.eval_on_selector_all(
        "img.plot", "images => images.map(i => i.complete ? i.naturalWidth : 0)"
    )
    assert len(widths) == 4 and all(width > 0 for width in widths), widths
    headings = page.locator("h2").all_inner_texts()
    assert headings == ["Segments", "Churn risk", "Review sentiment", "Topics"]
    assert "Ada Lovelace" in page.locator("table").nth(1).inner_text()  # the at-risk table
    assert errors == []
    page.close()
