"""The customer token keys the environment configures: one secret, or a ring during rotation."""

from __future__ import annotations

import pytest

from bot.tokens import CustomerTokens
from insight.settings import DEV_CUSTOMER_TOKEN_SECRET, Settings, TokenKey

OLD = "the-shops-old-secret-long-enough-for-hmac"
NEW = "the-shops-new-secret-long-enough-for-hmac"


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
