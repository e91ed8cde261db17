"""What the environment configures: customer token keys (one secret, or a ring during rotation),
and the secrets a process refuses to start with outside demo mode."""

from __future__ import annotations

import pytest

from bot.tokens import CustomerTokens
from insight.settings import (
    DEV_CUSTOMER_TOKEN_SECRET,
    DEV_DESK_SESSION_SECRET,
    DEV_RASA_API_TOKEN,
    Settings,
    TokenKey,
    startup_settings,
)

OLD = "the-shops-old-secret-long-enough-for-hmac"
NEW = "the-shops-new-secret-long-enough-for-hmac"
STRONG = {
    "CUSTOMER_TOKEN_SECRET": "c" * 32,
    "DESK_SESSION_SECRET": "d" * 32,
    "RASA_API_TOKEN": "r" * 32,
}
RING_ONLY = {name: value for name, value in STRONG.items() if name != "CUSTOMER_TOKEN_SECRET"}
DEV = {
    "CUSTOMER_TOKEN_SECRET": DEV_CUSTOMER_TOKEN_SECRET,
    "DESK_SESSION_SECRET": DEV_DESK_SESSION_SECRET,
    "RASA_API_TOKEN": DEV_RASA_API_TOKEN,
}


def test_one_secret_is_one_key_without_a_kid() -> None:
    settings = Settings.from_env({"CUSTOMER_TOKEN_SECRET": OLD})

    assert settings.customer_token_keys == (TokenKey(OLD),)


def test_without_a_secret_the_demo_key_signs() -> None:
    assert Settings.from_env({}).customer_token_keys == (TokenKey(DEV_CUSTOMER_TOKEN_SECRET),)


def test_a_ring_lists_its_keys_in_order_the_first_signing() -> None:
    settings = Settings.from_env({"CUSTOMER_TOKEN_SECRETS": f"k2:{NEW}, k1:{OLD}"})

    assert settings.customer_token_keys == (TokenKey(NEW, "k2"), TokenKey(OLD, "k1"))


def test_an_entry_without_a_kid_keeps_verifying_the_single_secrets_tokens() -> None:
    before = CustomerTokens(Settings.from_env({"CUSTOMER_TOKEN_SECRET": OLD}).customer_token_keys)
    during = Settings.from_env({"CUSTOMER_TOKEN_SECRETS": f"k2:{NEW},{OLD}"})

    token = before.issue("C-ADA")

    assert CustomerTokens(during.customer_token_keys).verify(token).customer_ref == "C-ADA"


@pytest.mark.parametrize(
    "ring",
    [f"k2:{NEW},", f":{NEW}", "k2:", f"k1:{NEW},k1:{OLD}", f"{NEW},{OLD}"],
    ids=["empty-entry", "empty-kid", "empty-secret", "kid-twice", "two-without-kid"],
)
def test_a_malformed_ring_is_refused(ring: str) -> None:
    with pytest.raises(ValueError, match="CUSTOMER_TOKEN_SECRETS"):
        Settings.from_env({"CUSTOMER_TOKEN_SECRETS": ring})


def _refusal(env: dict[str, str]) -> str:
    with pytest.raises(SystemExit) as refused:
        startup_settings(env)
    return str(refused.value)


def test_without_secrets_outside_demo_mode_a_process_says_what_to_set() -> None:
    message = _refusal({})

    assert all(f"{name} is not set" in message for name in STRONG)
    assert "secrets.token_urlsafe(48)" in message


@pytest.mark.parametrize("name", sorted(STRONG))
def test_a_published_development_secret_is_refused(name: str) -> None:
    message = _refusal(STRONG | {name: DEV[name]})

    assert f"{name} is a development value" in message
    assert [other for other in STRONG if other in message] == [name]


@pytest.mark.parametrize("name", sorted(STRONG))
def test_a_secret_shorter_than_32_characters_is_refused(name: str) -> None:
    assert f"{name} is shorter than 32 characters" in _refusal(STRONG | {name: "x" * 31})


def test_a_development_value_is_refused_under_another_name_too() -> None:
    """The published values are public whichever variable carries them (this one is 48 long)."""
    message = _refusal(STRONG | {"DESK_SESSION_SECRET": DEV_CUSTOMER_TOKEN_SECRET})

    assert "DESK_SESSION_SECRET is a development value" in message


def test_strong_secrets_start_with_what_they_say() -> None:
    settings = startup_settings(STRONG)

    assert settings.customer_token_keys == (TokenKey("c" * 32),)
    assert (settings.desk_session_secret, settings.rasa_api_token) == ("d" * 32, "r" * 32)


def test_demo_mode_starts_with_no_set_up() -> None:
    settings = startup_settings({"SHOPSENSE_DEMO_TOKENS": "1"})

    assert settings.demo_tokens
    assert settings.rasa_api_token == DEV_RASA_API_TOKEN


def test_every_key_of_a_ring_must_be_strong() -> None:
    message = _refusal(RING_ONLY | {"CUSTOMER_TOKEN_SECRETS": f"k2:{NEW},k1:short"})

    assert "CUSTOMER_TOKEN_SECRETS key k1 is shorter than 32 characters" in message
    assert "k2" not in message


def test_a_strong_ring_starts() -> None:
    settings = startup_settings(RING_ONLY | {"CUSTOMER_TOKEN_SECRETS": f"k2:{NEW},{OLD}"})

    assert settings.customer_token_keys == (TokenKey(NEW, "k2"), TokenKey(OLD))


def test_a_ring_and_a_single_secret_together_are_refused() -> None:
    message = _refusal(STRONG | {"CUSTOMER_TOKEN_SECRETS": f"k2:{NEW}"})

    assert "CUSTOMER_TOKEN_SECRET and CUSTOMER_TOKEN_SECRETS are both set" in message


def test_a_malformed_ring_stops_the_process_with_a_message() -> None:
    assert "is not kid:secret" in _refusal(STRONG | {"CUSTOMER_TOKEN_SECRETS": "k2:"})
