"""The Rasa client against a Rasa-shaped fake (tests/browser/fake_rasa.py) over ASGI."""

from __future__ import annotations

import httpx
import pytest

from bot.rasa_client import RasaClient, RasaUnavailable, UnknownIntent
from tests.browser.fake_rasa import create_app

pytestmark = pytest.mark.asyncio


@pytest.fixture
def fake_rasa(monkeypatch: pytest.MonkeyPatch) -> httpx.ASGITransport:
    monkeypatch.setenv("FAKE_RASA_TOKEN", "api-token")
    return httpx.ASGITransport(app=create_app())


async def _tracker(transport: httpx.ASGITransport, sender: str) -> dict[str, object]:
    async with httpx.AsyncClient(transport=transport, base_url="http://rasa") as client:
        response = await client.get(
            f"/conversations/{sender}/tracker", params={"token": "api-token"}
        )
        return dict(response.json())


async def test_messages_go_through_the_rest_channel_with_metadata(
    fake_rasa: httpx.ASGITransport,
) -> None:
    client = RasaClient("http://rasa", "api-token", transport=fake_rasa)

    replies = await client.send("s1", "where is my order", {"customer_id": 3})

    assert replies[0]["text"] == "Here is your latest order:"
    assert "order" in replies[1]["custom"]
    events = (await _tracker(fake_rasa, "s1"))["events"]
    assert events == [
        {"event": "user", "text": "where is my order", "metadata": {"customer_id": 3}}
    ]
    await client.aclose()


async def test_pause_and_resume_append_tracker_events_with_the_api_token(
    fake_rasa: httpx.ASGITransport,
) -> None:
    client = RasaClient("http://rasa", "api-token", transport=fake_rasa)

    await client.pause("s1")
    assert await client.send("s1", "hello") == []  # a paused conversation gets no answer
    await client.resume("s1")

    tracker = await _tracker(fake_rasa, "s1")
    assert [e["event"] for e in tracker["events"]] == ["pause", "user", "resume"]  # type: ignore[attr-defined]
    assert tracker["paused"] is False


async def test_a_wrong_api_token_is_an_error_not_silence(fake_rasa: httpx.ASGITransport) -> None:
    client = RasaClient("http://rasa", "wrong-token", transport=fake_rasa)

    with pytest.raises(RasaUnavailable):
        await client.pause("s1")


async def test_trigger_intent_returns_the_assistants_messages(
    fake_rasa: httpx.ASGITransport,
) -> None:
    client = RasaClient("http://rasa", "api-token", transport=fake_rasa)

    messages = await client.trigger_intent(
        "s1",
        "EXTERNAL_agent_handback",
        {"agent_name": "Alice", "handback_summary": "refund issued"},
    )

    assert [m["text"] for m in messages] == ["Welcome back! Alice told me: refund issued"]


async def test_an_intent_the_model_lacks_is_reported(fake_rasa: httpx.ASGITransport) -> None:
    client = RasaClient("http://rasa", "api-token", transport=fake_rasa)

    with pytest.raises(UnknownIntent):
        await client.trigger_intent("s1", "EXTERNAL_no_such_thing", {})


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_mean_rasa_is_unavailable(status: int) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status))
    client = RasaClient("http://rasa", "t", transport=transport)

    with pytest.raises(RasaUnavailable):
        await client.send("s1", "hi")


async def test_a_refused_connection_means_rasa_is_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = RasaClient("http://rasa", "t", transport=httpx.MockTransport(refuse))

    with pytest.raises(RasaUnavailable):
        await client.resume("s1")


def _servers(
    down: set[str], timing_out: frozenset[str] = frozenset()
) -> tuple[httpx.MockTransport, list[str]]:
    """A transport standing for several Rasa servers; it records which one each call reached."""
    reached: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        server = f"{request.url.scheme}://{request.url.host}"
        if server in down:
            raise httpx.ConnectError("connection refused", request=request)
        reached.append(server)
        if server in timing_out:
            raise httpx.ReadTimeout("no answer", request=request)
        return httpx.Response(200, json=[{"text": f"from {server}"}])

    return httpx.MockTransport(handle), reached


async def test_a_conversation_sticks_to_one_of_several_rasa_servers() -> None:
    transport, reached = _servers(down=set())
    client = RasaClient("http://rasa-a, http://rasa-b,http://rasa-c", "t", transport=transport)
    senders = [f"conversation-{n}" for n in range(30)]

    for sender in senders:
        await client.send(sender, "one")
        await client.send(sender, "two")

    assert all(reached[2 * n] == reached[2 * n + 1] for n in range(len(senders)))
    assert set(reached) == {"http://rasa-a", "http://rasa-b", "http://rasa-c"}


async def test_a_server_that_refuses_connections_hands_its_conversations_to_the_next() -> None:
    client = RasaClient("http://rasa-a,http://rasa-b", "t")
    sender = next(
        s for s in (f"c{n}" for n in range(100)) if client.servers_for(s)[0].endswith("a")
    )
    transport, reached = _servers(down={"http://rasa-a"})
    client = RasaClient("http://rasa-a,http://rasa-b", "t", transport=transport)

    replies = await client.send(sender, "hello")

    assert replies == [{"text": "from http://rasa-b"}]
    assert reached == ["http://rasa-b"]


async def test_a_server_that_may_have_seen_the_message_is_not_asked_twice() -> None:
    client = RasaClient("http://rasa-a,http://rasa-b", "t")
    sender = next(
        s for s in (f"c{n}" for n in range(100)) if client.servers_for(s)[0].endswith("a")
    )
    transport, reached = _servers(down=set(), timing_out=frozenset({"http://rasa-a"}))
    client = RasaClient("http://rasa-a,http://rasa-b", "t", transport=transport)

    with pytest.raises(RasaUnavailable) as raised:
        await client.send(sender, "hello")

    assert reached == ["http://rasa-a"]
    assert raised.value.maybe_delivered


async def test_when_every_server_refuses_rasa_is_unavailable() -> None:
    transport, _ = _servers(down={"http://rasa-a", "http://rasa-b"})
    client = RasaClient("http://rasa-a,http://rasa-b", "t", transport=transport)

    with pytest.raises(RasaUnavailable, match=r"rasa-a.*rasa-b|rasa-b.*rasa-a") as raised:
        await client.send("s1", "hello")

    assert not raised.value.maybe_delivered  # safe to send again later


async def test_the_assistant_is_reachable_while_any_of_its_servers_answers() -> None:
    one_down, _ = _servers(down={"http://rasa-a"})
    all_down, _ = _servers(down={"http://rasa-a", "http://rasa-b"})

    assert await RasaClient("http://rasa-a,http://rasa-b", "t", transport=one_down).reachable()
    assert not await RasaClient("http://rasa-a,http://rasa-b", "t", transport=all_down).reachable()


async def test_a_server_without_its_model_or_that_refuses_the_token_is_not_ready() -> None:
    asked: list[str] = []

    def status(loaded: bool) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            asked.append(f"{request.url.path}?{request.url.query.decode()}")
            if request.url.params.get("token") != "api-token":
                return httpx.Response(401)
            return httpx.Response(200 if loaded else 409)

        return httpx.MockTransport(handle)

    assert await RasaClient("http://rasa", "api-token", transport=status(True)).reachable()
    assert not await RasaClient("http://rasa", "api-token", transport=status(False)).reachable()
    assert not await RasaClient("http://rasa", "wrong", transport=status(True)).reachable()
    assert asked[0] == "/status?token=api-token"
