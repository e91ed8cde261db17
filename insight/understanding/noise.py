"""How shoppers actually type, as seeded variations of a written training example.

The written examples are mostly tidy; shoppers are not. Each variation mixes what chat text
shows: no capitals or all capitals, no punctuation, dropped apostrophes, chat abbreviations
(u, pls, asap) and a typo or two. The intent head trains on the written examples and these
variations; evaluation never sees them.
"""

from __future__ import annotations

import random
import re

from insight.emotion.data import typo

# Word (or phrase) → how people shorten it in chat.
ABBREVIATIONS: dict[str, str] = {
    "you": "u",
    "your": "ur",
    "you're": "ur",
    "are": "r",
    "please": "pls",
    "thanks": "thx",
    "thank you": "ty",
    "because": "cuz",
    "want to": "wanna",
    "going to": "gonna",
    "as soon as possible": "asap",
    "i don't know": "idk",
    "to be honest": "tbh",
    "tomorrow": "tmrw",
    "message": "msg",
    "information": "info",
    "okay": "ok",
    "why": "y",
}
_ABBREVIATION = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(ABBREVIATIONS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


def abbreviate(text: str, rng: random.Random, rate: float = 0.7) -> str:
    """Replace each abbreviable word or phrase with its chat form at ``rate``."""

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        return ABBREVIATIONS[found.lower()] if rng.random() < rate else found

    return _ABBREVIATION.sub(replace, text)


def shopper_variant(text: str, rng: random.Random) -> str:
    """One chat-style variation of ``text``; the same ``rng`` state gives the same variation."""
    if rng.random() < 0.4:
        text = abbreviate(text, rng)
    if rng.random() < 0.35:
        text = text.replace("'", "").replace("’", "")
    if rng.random() < 0.35:
        text = re.sub(r"[.,!?;:]+", "", text)
    if rng.random() < 0.4:
        for _ in range(rng.randint(1, 2)):
            text = typo(rng, text)
    draw = rng.random()
    if draw < 0.06:
        text = text.upper()
    elif draw < 0.6:
        text = text.lower()
    return " ".join(text.split())


# Intents about one order whose examples are mostly written without its number. Most training
# examples that carry a number ask where the order is, so a number alone pulled other requests
# ("chnage the adress for SS-500042") towards check_order_status.
ORDER_NUMBER_INTENTS = frozenset(
    {
        "cancel_order",
        "change_address",
        "exchange_item",
        "item_problem",
        "payment_problem",
        "refund_status",
        "return_item",
    }
)
_HAS_NUMBER = re.compile(r"\d{5,8}")
_NUMBER_FORMS = ("SS-{n}", "ss {n}", "#{n}", "{n}", "order {n}", "SS{n}", "order no. {n}")


def with_order_number(text: str, rng: random.Random) -> str:
    """``text`` with an order number in one of the ways shoppers write it, before or after."""
    number = rng.choice(_NUMBER_FORMS).format(n=rng.randint(100000, 999999))
    return f"{number} {text}" if rng.random() < 0.3 else f"{text} {number}"


def needs_order_number(text: str, label: str) -> bool:
    return label in ORDER_NUMBER_INTENTS and not _HAS_NUMBER.search(text)
