"""Personal data out of log files: emails, phone numbers and card-like numbers are replaced by
placeholders before any log record is written.

Every ShopSense process installs :class:`RedactingFilter` on its log handlers through the
logging configuration that ``bot.stack`` writes (:func:`logging_config`): the gateway (uvicorn's
``--log-config``), the action server (rasa-sdk's ``--logging-config_file``) and the Rasa server
(``--logging-config-file``). The Rasa server runs Python 3.10 with nothing of ShopSense
installed, so this module uses the standard library only and Python 3.10 syntax.
"""

from __future__ import annotations

import logging
import re
from typing import Any

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"
CARD_MARK = "[card]"

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# 13 to 19 digits, optionally grouped by single spaces or dashes (how people type card numbers).
CARD = re.compile(r"(?<![\w.])\d(?:[ -]?\d){12,18}(?!\w|\.\d)")
# An international or grouped phone number: an optional +/00 prefix, then digits in groups.
PHONE = re.compile(r"(?<![\w.+/:-])(?:\+|00)?\(?\d[\d ().-]{6,}\d(?![\w/:-]|\.?\d)")
DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?")
DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
PHONE_DIGITS = range(8, 16)
PLAIN_PHONE_DIGITS = 10  # an ungrouped run of digits is taken for a phone number from here


def digits_of(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    return CARD_MARK if luhn_valid(digits_of(match.group())) else match.group()


def _phone(match: re.Match[str]) -> str:
    text = match.group()
    digits = digits_of(text)
    if len(digits) not in PHONE_DIGITS or DATE_LIKE.fullmatch(text) or DOTTED_QUAD.fullmatch(text):
        return text
    separators = [c for c in text if not c.isdigit()]
    if separators == ["."]:
        return text  # a decimal number
    prefixed = text.startswith(("+", "00", "(", "0"))
    if prefixed or separators or len(digits) >= PLAIN_PHONE_DIGITS:
        return PHONE_MARK
    return text


def redact(text: str) -> str:
    """``text`` with emails, card-like (Luhn-valid) numbers and phone numbers replaced."""
    text = EMAIL.sub(EMAIL_MARK, text)
    text = CARD.sub(_card, text)
    return PHONE.sub(_phone, text)


def mask_cards(text: str) -> str:
    """Card-like numbers in what a shopper typed, reduced to their last four digits.

    Nobody at the shop needs a card number from the chat (and must not store one), but the last
    four digits help an agent tell which card the shopper means.
    """

    def last_four(match: re.Match[str]) -> str:
        digits = digits_of(match.group())
        return f"[card ending {digits[-4:]}]" if luhn_valid(digits) else match.group()

    return CARD.sub(last_four, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and any traceback) with :func:`redact`; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed format call: keep its parts, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` configuration: one redacting handler on stderr for the
    root logger and for the loggers that servers configure with handlers of their own."""
    handler = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": "plain",
        "filters": ["redact"],
    }
    own_handlers = ("uvicorn", "uvicorn.error", "uvicorn.access", "sanic.root", "sanic.error")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "insight.redaction.RedactingFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
        },
        "handlers": {"redacted": handler},
        "root": {"level": level, "handlers": ["redacted"]},
        "loggers": {
            name: {"level": level, "handlers": ["redacted"], "propagate": False}
            for name in own_handlers
        }
        # one line per HTTP request between the processes says nothing worth keeping
        | {name: {"level": "WARNING"} for name in ("httpx", "httpcore")},
    }
