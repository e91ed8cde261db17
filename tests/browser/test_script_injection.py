"""Markup and script typed by a shopper (the hostile corpus's "markup" inputs and a few canaries)
stay inert text in the widget and on the agent desk, in Chromium: no script runs, no dialog
opens, no element is injected. The scripted Rasa echoes every line back, so each payload is also
rendered as the assistant's message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect

from insight.agents import DEMO_AGENT_PASSWORD
from tests.browser.conftest import Servers, screenshot
from tests.hostile import texts

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CANARIES = [
    "<img src=x onerror=\"window.__pwned='img'\">",
    "<svg onload=\"window.__pwned='svg'\"></svg>",
    "<script>window.__pwned='script'</script>",
    "<iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\"></iframe>",
    "<a href=\"javascript:window.__pwned='link'\" id=pwn>where is my order</a>",
    "<details open ontoggle=\"window.__pwned='details'\">x</details>",
]
INJECTED = "script, img, svg, iframe, a[href^='javascript'], details, object, math, style, input"
PER_MESSAGE = 6  # payloads per chat message, so the test stays within the rate limit


def _messages() -> list[str]:
    payloads = CANARIES + [item.text for item in texts() if item.kind == "markup"]
    return ["\n".join(payloads[n : n + PER_MESSAGE]) for n in range(0, len(payloads), PER_MESSAGE)]


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def _watch(page: Page, dialogs: list[str]) -> None:
    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)


def _pwned(page: Page) -> object:
    return page.evaluate("window.__pwned || null")


def test_markup_typed_by_a_shopper_is_shown_as_text_in_the_widget_and_on_the_desk(
    context: BrowserContext, browser: Browser, servers: Servers
) -> None:
    dialogs: list[str] = []
    shop = context.new_page()
    _watch(shop, dialogs)
    shop.goto(servers.url + "/")
    shop.locator("[data-testid=chat-launcher]:visible, [data-testid=chat-panel]:visible").wait_for()
    if shop.get_by_test_id("chat-launcher").is_visible():
        shop.get_by_test_id("chat-launcher").click()
    log = shop.get_by_test_id("chat-log")

    for number, message in enumerate(_messages(), start=1):
        shop.get_by_test_id("chat-input").fill(message)
        shop.get_by_test_id("chat-send").click()
        expect(shop.get_by_test_id("msg-bot")).to_have_count(number)
    expect(log).to_contain_text("<script>window.__pwned='script'</script>")
    screenshot(shop, "widget-markup-inert")

    desk_context = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = desk_context.new_page()
    _watch(desk, dialogs)
    desk.goto(servers.url + "/desk")
    desk.get_by_test_id("login-username").fill("alice")
    desk.get_by_test_id("login-password").fill(DEMO_AGENT_PASSWORD)
    desk.get_by_test_id("login-submit").click()
    expect(desk.get_by_test_id("agents-online")).to_contain_text("online")
    shop.get_by_test_id("ask-agent").click()
    item = desk.get_by_test_id("queue").get_by_test_id("conversation-item").first
    expect(item).to_contain_text("<")
    item.click()
    transcript = desk.get_by_test_id("transcript")
    expect(transcript).to_contain_text("<img src=x onerror=\"window.__pwned='img'\">")
    screenshot(desk, "desk-markup-inert")

    injected = [place.locator(INJECTED).count() for place in (log, transcript, item)]
    pwned = [_pwned(shop), _pwned(desk)]
    # leave the shared servers as found: the conversation back with the assistant, queue empty
    desk.get_by_test_id("take-over").click()
    expect(desk.get_by_test_id("owner")).to_have_text("with Alice Martin")
    desk.get_by_test_id("handback-submit").click()
    expect(desk.get_by_test_id("owner")).to_have_text("with the assistant")
    desk_context.close()

    assert dialogs == []
    assert pwned == [None, None]
    assert injected == [0, 0, 0]
