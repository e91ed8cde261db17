"""Schemathesis against the gateway's OpenAPI schema, in process: for every operation, generated
requests (valid and invalid) never get a 500 and every answer matches what the schema declares
(status code, content type, body). An agent is logged in, so the desk's operations are reached
past their login check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import APIOperation, Case
from schemathesis.checks import positive_data_acceptance
from schemathesis.core.result import Err

from bot.app import create_app
from bot.desk_auth import COOKIE
from insight.agents import DEMO_AGENT_PASSWORD
from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import upgrade
from insight.settings import Settings
from tests.factories import build_small_shop
from tests.gateway_fakes import FakeAssistant, gateway_services

EXAMPLES_PER_OPERATION = 100
# The analytics' period rule spans two parameters (since before until, at most a year), which
# OpenAPI cannot say: there a schema-valid request may get the 422 the schema declares.
CROSS_PARAMETER_RULES = {"/api/desk/analytics", "/api/desk/analytics.csv"}
LOGOUT = "/api/desk/logout"
# Generous rate limits: the fuzzer is one client sending hundreds of requests a minute.
ENV = {
    "SHOPSENSE_DEMO_TOKENS": "1",
    "GATEWAY_RATE_PER_IP": "100000,10000",
    "GATEWAY_RATE_LOGINS": "100000,10000",
}


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('schema') / 'shop.db'}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    build_small_shop(sessions)
    yield create_app(Settings.from_env(ENV), gateway_services(sessions, FakeAssistant()))
    engine.dispose()


def _log_in(client: TestClient) -> str:
    response = client.post(
        "/api/desk/login", json={"username": "alice", "password": DEMO_AGENT_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return response.cookies[COOKIE]


@pytest.fixture(scope="module")
def desk_cookie(gateway: Any) -> str:
    with TestClient(gateway) as client:  # its lifespan creates the demo agents
        return _log_in(client)


def test_every_operation_answers_as_its_schema_says(
    gateway: Any, desk_cookie: str, subtests: pytest.Subtests
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", gateway)
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            pytest.fail(f"schemathesis cannot read the gateway's schema: {result.err()}")
        operation = result.ok()
        with subtests.test(operation.label):
            _fuzz(operation, desk_cookie, TestClient(gateway))


def _fuzz(
    operation: APIOperation[Any, Any, Any, Any], desk_cookie: str, logins: TestClient
) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_declared(case: Case[Any]) -> None:
        # Logging out ends the session it is sent with: each try there has a session of its own.
        cookie = _log_in(logins) if operation.path == LOGOUT else desk_cookie
        case.call_and_validate(cookies={COOKIE: cookie}, excluded_checks=excluded)

    excluded = [positive_data_acceptance] if operation.path in CROSS_PARAMETER_RULES else []

    answers_as_declared()
