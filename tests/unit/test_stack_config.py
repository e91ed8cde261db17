"""How bot.stack configures the processes: Rasa servers by name and port, the lock store."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.stack import Stack
from bot.stack_processes import StackConfig, lock_store_env


def _config(**overrides: object) -> StackConfig:
    base = {
        "python": Path(sys.executable),
        "rasa_bin": Path("/venvs/rasa/bin/rasa"),
        "rasa_model": Path("/models/m.tar.gz"),
        "database_url": "sqlite:///shop.db",
        "tracker_url": "sqlite:///tracker.db",
        "state_dir": Path("/tmp/state"),
        "host": "127.0.0.1",
        "gateway_port": 8080,
        "rasa_port": 5005,
        "action_port": 5055,
        "rasa_api_token": "t",
    }
    return StackConfig(**(base | overrides))  # type: ignore[arg-type]


def test_one_rasa_server_keeps_its_locks_in_memory() -> None:
    assert lock_store_env(None)["LOCK_STORE_TYPE"] == "in_memory"


def test_several_rasa_servers_share_a_redis_lock_store() -> None:
    env = lock_store_env("redis://10.0.0.5:6380/3?prefix=shop1")

    assert env == {
        "LOCK_STORE_TYPE": "bot.rasa_locks.AtomicRedisLockStore",
        "LOCK_STORE_HOST": "10.0.0.5",
        "LOCK_STORE_PORT": "6380",
        "LOCK_STORE_DB": "3",
        "LOCK_STORE_PREFIX": "shop1",
    }


def test_extra_rasa_servers_are_named_and_started_between_the_actions_and_the_gateway() -> None:
    config = _config(extra_rasa_ports=(5006, 5007))

    assert config.rasa_ports == {"rasa": 5005, "rasa-2": 5006, "rasa-3": 5007}
    assert Stack(config).names == ("actions", "rasa", "rasa-2", "rasa-3", "gateway")
