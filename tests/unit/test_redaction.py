"""Personal data out of the logs: what ``insight.redaction`` replaces, and what it leaves alone."""

from __future__ import annotations

import io
import logging
import logging.config

import pytest

from insight.redaction import RedactingFilter, logging_config, luhn_valid, mask_cards, redact


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("mail me at ada.l+shop@example.co.uk now", "mail me at [email] now"),
        ("call +47 912 34 567 or (555) 123-4567.", "call [phone] or [phone]."),
        ("my number is 0151 23456789", "my number is [phone]"),
        ("phone 555.123.4567", "phone [phone]"),
        ("tel 004791234567", "tel [phone]"),
        ("ring 5551234567", "ring [phone]"),
        ("card 4111 1111 1111 1111 exp 12/29", "card [card] exp 12/29"),
        ("card 4111-1111-1111-1111.", "card [card]."),
        ("amex 378282246310005", "amex [card]"),
    ],
)
def test_emails_phone_numbers_and_card_numbers_are_replaced(text: str, redacted: str) -> None:
    assert redact(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "order SS-100001 placed 2025-11-22 12:00:00",
        "listening on 192.168.100.200:5005 and 10.0.0.1",
        "took 123.45 ms, 0.0012345 s",
        "pid 123456789",
        "epoch 1732275600.123",
        "price 1199.00 EUR, version 3.6.21",
        "conversation abc_12345678-xyz",
        "postcode 0150 Oslo",
        "not a card 4111 1111 1111 1112",
    ],
)
def test_order_numbers_dates_addresses_and_measurements_are_kept(text: str) -> None:
    assert redact(text) == text


def test_the_luhn_check_tells_card_numbers_from_other_long_numbers() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("5500005555555559")
    assert not luhn_valid("4111111111111112")


def test_card_numbers_a_shopper_types_keep_only_their_last_four_digits() -> None:
    assert mask_cards("pay with 4111 1111 1111 1111, order SS-100001") == (
        "pay with [card ending 1111], order SS-100001"
    )
    assert mask_cards("call 0151 23456789") == "call 0151 23456789"


def _logger_with_filter(stream: io.StringIO) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(f"test-redaction-{id(stream)}")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger


def test_the_filter_redacts_formatted_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    logger = _logger_with_filter(stream)

    logger.info("user %s said %r", "ada@example.com", "call me on +47 912 34 567")
    try:
        raise ValueError("bad card 4111 1111 1111 1111 for ada@example.com")
    except ValueError:
        logger.exception("storing %s failed", "the message")

    written = stream.getvalue()
    assert "ada@example.com" not in written
    assert "912 34 567" not in written
    assert "4111" not in written
    assert "user [email] said 'call me on [phone]'" in written
    assert "ValueError: bad card [card] for [email]" in written


def test_a_malformed_log_call_is_still_written_redacted() -> None:
    stream = io.StringIO()
    logger = _logger_with_filter(stream)

    malformed = logger.makeRecord(
        logger.name, logging.WARNING, __file__, 1, "two: %s %s", ("ada@example.com",), None
    )
    logger.handle(malformed)

    assert "[email]" in stream.getvalue()
    assert "ada@example.com" not in stream.getvalue()


def test_the_logging_configuration_installs_the_filter_on_every_handler() -> None:
    config = logging_config("DEBUG")
    factory = logging.config.BaseConfigurator(config).resolve(config["filters"]["redact"]["()"])

    handlers = config["handlers"].values()
    assert factory is RedactingFilter
    assert all(handler["filters"] == ["redact"] for handler in handlers)
    assert config["root"] == {"level": "DEBUG", "handlers": ["redacted"]}
    assert {"uvicorn.error", "uvicorn.access", "sanic.root"} <= set(config["loggers"])
