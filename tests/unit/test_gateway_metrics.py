"""Who may read the gateway's metrics."""

from __future__ import annotations

from bot.metrics import may_scrape

TOKEN = "metrics-scraper-token-0123456789"


def test_loopback_clients_and_token_holders_may_scrape_and_nobody_else() -> None:
    assert may_scrape("127.0.0.1", None, None)
    assert may_scrape("::1", None, TOKEN)
    assert may_scrape("203.0.113.7", f"Bearer {TOKEN}", TOKEN)
    assert may_scrape("203.0.113.7", f"bearer {TOKEN}", TOKEN)

    assert not may_scrape("203.0.113.7", None, TOKEN)
    assert not may_scrape("203.0.113.7", "Bearer wrong", TOKEN)
    assert not may_scrape("203.0.113.7", f"Basic {TOKEN}", TOKEN)
    assert not may_scrape("10.0.0.8", "Bearer ", None)  # no token set: loopback only
    assert not may_scrape("testclient", None, None)
    assert not may_scrape(None, None, None)
