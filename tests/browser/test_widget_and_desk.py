"""A shopper and an agent in two browsers: order status card, escalation, takeover, hand-back
with a task, reloads and a gateway restart. Screenshots go to test-results/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from insight.agents import DEMO_AGENT_PASSWORD
from tests.browser.conftest import Servers, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def shopper(browser: Browser) -> Iterator[BrowserContext]:
    """The shopper's browser (its own cookies and localStorage)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def agent(browser: Browser) -> Iterator[BrowserContext]:
    """The agent's browser, a second context beside the shopper's."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def _shop(context: BrowserContext, servers: Servers, identity: str | None = None) -> Page:
    page = context.new_page()
    page.goto(servers.url + "/")
    if identity:
        page.get_by_test_id("identity-select").select_option(identity)
        page.wait_for_load_state()
    page.locator("[data-testid=chat-launcher]:visible, [data-testid=chat-panel]:visible").wait_for()
    if page.get_by_test_id("chat-launcher").is_visible():
        page.get_by_test_id("chat-launcher").click()
    return page


def _say(page: Page, text: str) -> None:
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-send").click()


def _desk(context: BrowserContext, servers: Servers, username: str = "alice") -> Page:
    page = context.new_page()
    page.goto(servers.url + "/desk")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(DEMO_AGENT_PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("agents-online")).to_contain_text("online")
    return page


def _log(page: Page) -> Locator:
    return page.get_by_test_id("chat-log")


def _transcript(page: Page) -> list[tuple[str, str]]:
    items = _log(page).locator("li.ssw-msg:not(.ssw-pending)")
    return [
        (str(item.get_attribute("data-testid")).removeprefix("msg-"), item.inner_text().strip())
        for item in items.all()
    ]


def test_with_no_agent_online_the_shopper_leaves_a_message_that_becomes_a_ticket(
    shopper: BrowserContext, agent: BrowserContext, servers: Servers
) -> None:
    page = _shop(shopper, servers)

    _say(page, "this is ridiculous")

    expect(_log(page)).to_contain_text("No one from our support team is online")
    page.get_by_test_id("ticket-email").fill("guest@example.com")
    page.get_by_test_id("ticket-message").fill("Please call me about my parcel.")
    page.get_by_role("button", name="Send message").click()
    expect(_log(page)).to_contain_text("We've got your message (ticket #")
    screenshot(page, "widget-no-agent-ticket")

    desk = _desk(agent, servers)
    expect(desk.get_by_test_id("ticket").first).to_contain_text("guest@example.com")


def test_order_card_escalation_takeover_handback_and_reload(
    shopper: BrowserContext, agent: BrowserContext, servers: Servers
) -> None:
    desk = _desk(agent, servers)
    page = _shop(shopper, servers, identity="C-ADA")
    expect(page.get_by_test_id("chat-identity")).to_have_text("Signed in as Ada Lovelace")

    # the assistant answers with quick replies; a click sends the issued payload
    _say(page, "hello")
    page.get_by_test_id("quick-reply").filter(has_text="Where is my order?").click()
    card = page.get_by_test_id("order-card")
    expect(card).to_contain_text("Order SS-100001")
    expect(card.get_by_test_id("order-status")).to_have_text("shipped")
    expect(card).to_contain_text("DHL123456")
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", card.inner_text())  # dates as people write them
    screenshot(page, "widget-order-card")
    with shopper.expect_page() as opened:
        card.get_by_test_id("order-invoice").click()
    invoice = opened.value
    expect(invoice.get_by_test_id("invoice-order")).to_contain_text("Order SS-100001")
    expect(invoice.get_by_test_id("invoice-total")).to_have_text("€799.00")
    invoice.close()

    _say(page, "can you recommend something?")
    products = page.get_by_test_id("product-card")
    expect(products).to_have_count(2)
    expect(products.first).to_contain_text("Quiet 2 Headphones")
    expect(products.first).to_contain_text("99.90")
    expect(products.first).to_contain_text("in stock")

    # shopper text is shown as text, never as markup
    _say(page, "<img src=x onerror=alert(1)> **really**")
    expect(_log(page)).to_contain_text("You said: <img src=x onerror=alert(1)>")
    assert _log(page).locator("img").count() == 0
    assert _log(page).locator("strong", has_text="really").count() == 2

    # frustration twice: the emotion signal escalates; the shopper sees the queue
    _say(page, "seriously, still nothing?")
    _say(page, "I am waiting again!")
    expect(page.get_by_test_id("queue-banner")).to_contain_text("you are number 1 in the queue")
    expect(page.get_by_test_id("ask-agent")).to_be_hidden()
    screenshot(page, "widget-queued")

    # the agent sees it in the live queue, with why, the profile and the emotion timeline
    item = desk.get_by_test_id("queue").get_by_test_id("conversation-item").first
    expect(item).to_contain_text("Ada Lovelace")
    expect(item).to_contain_text("upset")
    item.click()
    expect(desk.get_by_test_id("why")).to_contain_text("frustration")
    profile_card = desk.get_by_test_id("profile-card")
    expect(profile_card).to_contain_text("ada@example.com")
    expect(profile_card).to_contain_text(f"Segment{servers.profile_of('C-ADA').segment}")
    expect(profile_card).to_contain_text("Likes" + "Laptops, Headphones")
    expect(desk.get_by_test_id("emotion-timeline").locator("span.frustration")).to_have_count(2)
    expect(desk.get_by_test_id("transcript")).to_contain_text("I am waiting again!")
    desk.get_by_test_id("take-over").click()
    expect(desk.get_by_test_id("owner")).to_have_text("with Alice Martin")
    expect(page.get_by_test_id("chat-with")).to_have_text("Alice Martin (support team)")
    expect(page.get_by_test_id("queue-banner")).to_be_hidden()
    expect(desk.get_by_test_id("queue").get_by_test_id("conversation-item")).to_have_count(0)
    expect(desk.get_by_test_id("mine").get_by_test_id("conversation-item")).to_have_count(1)

    # messages go live both ways; the private note stays on the desk
    _say(page, "hello? anyone there?")
    expect(desk.get_by_test_id("transcript")).to_contain_text("hello? anyone there?")
    desk.get_by_test_id("reply-input").fill("Hi Ada, I'm Alice. I'll set up a return for you.")
    expect(page.get_by_test_id("typing")).to_have_text("Alice Martin is typing…")
    desk.get_by_test_id("reply-send").click()
    expect(page.get_by_test_id("msg-agent")).to_contain_text("I'll set up a return for you.")
    desk.get_by_test_id("note-input").fill("Offered a return for the laptop")
    desk.get_by_test_id("note-add").click()
    expect(desk.get_by_test_id("notes")).to_contain_text("Offered a return for the laptop")
    screenshot(desk, "desk-takeover")

    # hand back with a task: the assistant starts the return form
    desk.get_by_test_id("handback-task").select_option("start_return")
    desk.get_by_test_id("handback-detail").fill("SS-100001")
    desk.get_by_test_id("handback-summary").fill("return of the laptop agreed")
    desk.get_by_test_id("handback-submit").click()
    expect(page.get_by_test_id("msg-bot").last).to_have_text(
        "Let's start your return for order SS-100001."
    )
    expect(page.get_by_test_id("chat-with")).to_have_text("ShopSense assistant")
    expect(desk.get_by_test_id("owner")).to_have_text("with the assistant")

    expected_tail = [
        ("shopper", "I am waiting again!"),
        ("bot", "You said: I am waiting again!"),
        ("system", "I'm connecting you to a person from our support team."),
        ("system", "Alice Martin from our support team has joined the conversation."),
        ("shopper", "hello? anyone there?"),
        ("agent", "Alice Martin\nHi Ada, I'm Alice. I'll set up a return for you."),
        ("system", "Alice Martin handed the conversation back to the assistant."),
        ("bot", "Let's start your return for order SS-100001."),
    ]
    before = _transcript(page)
    assert before[-len(expected_tail) :] == expected_tail
    assert "Offered a return" not in _log(page).inner_text()
    screenshot(page, "widget-handed-back")

    # a reload keeps the conversation: the transcript comes back from the database
    conversation = page.evaluate(
        "JSON.parse(localStorage.getItem('shopsense.chat')).conversationId"
    )
    page.reload()
    expect(page.get_by_test_id("order-card")).to_be_visible()
    expect(page.get_by_test_id("msg-bot").last).to_have_text(
        "Let's start your return for order SS-100001."
    )
    assert _transcript(page) == before
    assert (
        page.evaluate("JSON.parse(localStorage.getItem('shopsense.chat')).conversationId")
        == conversation
    )
    screenshot(page, "widget-after-reload")


def test_a_gateway_restart_loses_nothing_and_what_was_typed_meanwhile_arrives_once(
    shopper: BrowserContext, agent: BrowserContext, servers: Servers
) -> None:
    desk = _desk(agent, servers, "bob")
    page = _shop(shopper, servers, identity="C-BEN")
    _say(page, "hi there")
    expect(page.get_by_test_id("msg-bot").last).to_contain_text("You said: hi there")
    page.get_by_test_id("ask-agent").click()
    expect(page.get_by_test_id("queue-banner")).to_contain_text("in the queue")

    servers.stop_gateway()
    try:
        expect(page.get_by_test_id("chat-offline")).to_be_visible()
        _say(page, "typed while you were away")
        expect(_log(page).locator(".ssw-pending")).to_have_count(1)
    finally:
        servers.start_gateway()

    expect(page.get_by_test_id("chat-offline")).to_be_hidden()
    expect(_log(page).locator(".ssw-pending")).to_have_count(0)
    expect(page.get_by_test_id("queue-banner")).to_contain_text("in the queue")
    shopper_lines = [text for who, text in _transcript(page) if who == "shopper"]
    assert shopper_lines == ["hi there", "typed while you were away"]

    expect(desk.get_by_test_id("agents-online")).to_contain_text("1 online")
    item = (
        desk.get_by_test_id("queue")
        .get_by_test_id("conversation-item")
        .filter(has_text="Ben Okafor")
    )
    item.click()
    expect(desk.get_by_test_id("transcript")).to_contain_text("typed while you were away")
    transcript = desk.get_by_test_id("transcript").inner_text()
    assert len(re.findall("typed while you were away", transcript)) == 1
    screenshot(desk, "desk-after-gateway-restart")


def test_agent_assist_summarises_the_conversation_and_a_suggestion_is_edited_and_sent(
    shopper: BrowserContext, agent: BrowserContext, servers: Servers
) -> None:
    desk = _desk(agent, servers)
    page = _shop(shopper, servers, identity="C-ADA")
    _say(page, "hello")
    page.get_by_test_id("quick-reply").filter(has_text="Where is my order?").click()
    expect(page.get_by_test_id("order-card")).to_contain_text("Order SS-100001")
    _say(page, "do you deliver to Norway as well? it is a present for my sister")
    page.get_by_test_id("ask-agent").click()
    expect(page.get_by_test_id("queue-banner")).to_contain_text("in the queue")

    # earlier tests may have left other shoppers waiting
    queue = desk.get_by_test_id("queue").get_by_test_id("conversation-item")
    queue.filter(has_text="Ada Lovelace").first.click()
    summary = desk.get_by_test_id("assist-summary")
    expect(summary).to_contain_text("Ada Lovelace, signed in")
    expect(summary).to_contain_text("do you deliver to Norway as well?")
    expect(summary).to_contain_text("the shopper asked for a person")
    expect(summary).to_contain_text("showed order SS-100001")
    suggestions = desk.get_by_test_id("assist-suggestion")
    expect(suggestions.filter(has_text="FAQ:")).to_contain_text("Norway")
    order = suggestions.filter(has_text="Order SS-100001 (shipped)")
    expect(order).to_contain_text("tracking number DHL123456")
    expect(order.get_by_test_id("assist-insert")).to_be_disabled()  # take over first
    screenshot(desk, "desk-agent-assist-summary")

    desk.get_by_test_id("take-over").click()
    expect(desk.get_by_test_id("owner")).to_have_text("with Alice Martin")
    order = desk.get_by_test_id("assist-suggestion").filter(has_text="Order SS-100001 (shipped)")
    order.get_by_test_id("assist-insert").click()
    reply = desk.get_by_test_id("reply-input")
    expect(reply).to_have_value(re.compile(r"^Order SS-100001 \(Aero 14 Laptop\) is on its way"))
    reply.press("End")
    reply.type(" Norway is fine too.")
    screenshot(desk, "desk-agent-assist-inserted")
    desk.get_by_test_id("reply-send").click()

    sent = page.get_by_test_id("msg-agent").last
    expect(sent).to_contain_text("tracking number DHL123456")
    expect(sent).to_contain_text("Norway is fine too.")


def test_an_admin_reads_the_analytics_and_downloads_a_table_an_agent_may_not(
    shopper: BrowserContext, agent: BrowserContext, browser: Browser, servers: Servers
) -> None:
    desk = _desk(agent, servers, "alice")
    page = _shop(shopper, servers)
    _say(page, "thanks, I love it: the headphones are perfect")
    page.get_by_test_id("ask-agent").click()
    expect(page.get_by_test_id("queue-banner")).to_contain_text("in the queue")

    desk.get_by_test_id("analytics-link").click()
    expect(desk.get_by_test_id("tile-conversations")).to_contain_text("conversations")
    assert int(desk.get_by_test_id("tile-conversations").locator("strong").inner_text()) >= 1
    expect(desk.get_by_test_id("tile-containment")).to_contain_text("%")
    expect(desk.get_by_test_id("chart-containment").locator(".day")).to_have_count(30)
    handovers = desk.get_by_test_id("chart-handovers")
    expect(handovers).to_contain_text("shopper pressed 'talk to a person'")
    expect(desk.get_by_test_id("chart-emotions")).to_contain_text("gratitude")
    screenshot(desk, "desk-analytics")
    with desk.expect_download() as download:
        desk.get_by_test_id("csv-handovers").click()
    exported = Path(download.value.path()).read_text()
    assert exported.splitlines()[0] == "reason,conversations"
    assert "shopper pressed 'talk to a person'" in exported

    other = browser.new_context()
    try:
        bob = _desk(other, servers, "bob")
        expect(bob.get_by_test_id("analytics-link")).to_be_hidden()
        bob.goto(servers.url + "/desk/analytics")
        expect(bob.get_by_test_id("analytics-status")).to_have_text("The analytics are for admins.")
    finally:
        other.close()
