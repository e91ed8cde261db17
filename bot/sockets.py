"""Live traffic over socket.io: the shopper widget on namespace ``/``, agent desks on ``/desk``.

Shopper events (client → gateway, each answered through the ack):
  ``hello {conversation_id?, token?, after_id?}`` → the session: conversation id, customer, status,
  transcript after ``after_id``; ``message {client_id, text}``; ``button {client_id, payload,
  title}``; ``ask_agent {}``; ``leave_message {email, message}``.
Gateway → shopper: ``message``, ``status {owner, agent, queue_position}``, ``typing {who, on}``.
Gateway → desks: ``message``, ``conversation``, ``queue``, ``note``, ``tickets``, ``agents``.
Desk → gateway: ``typing {conversation_id}``. Everything else the desk does goes through the HTTP
API (bot/desk_api.py), which the OpenAPI schema describes.

Every shopper event spends from its connection's and its IP address's rate budgets
(``bot.guards``); over budget, or with the database out, the ack says why: ``{ok: false, error}``.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import socketio

from bot.desk_auth import DeskSessions, cookie_from_header
from bot.guards import TOO_FAST, RateLimits, client_ip
from bot.switchboard import DATABASE_DOWN, NotAllowed, Switchboard
from bot.views import shopper_message_view, status_view
from insight.agents import AgentRepository

log = logging.getLogger(__name__)

SHOPPER = "/"
DESK = "/desk"
DESK_ROOM = "desk"
DATABASE_DOWN_ERROR = "We're having a technical problem; please try again in a moment."
UNEXPECTED_ERROR = "Something went wrong on our side; please try again."
LARGEST_ID = 2**62


def conversation_room(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


class SocketOutbox:
    """The switchboard's Outbox over socket.io, with the desks' presence."""

    def __init__(self, server: socketio.AsyncServer) -> None:
        self._server = server
        self._agents: Counter[int] = Counter()
        self._desk_sessions: dict[str, str] = {}  # desk socket → the desk session it came with

    async def to_conversation(self, conversation_id: str, event: str, data: dict[str, Any]) -> None:
        await self._server.emit(
            event, data, room=conversation_room(conversation_id), namespace=SHOPPER
        )

    async def to_desk(self, event: str, data: dict[str, Any]) -> None:
        await self._server.emit(event, data, room=DESK_ROOM, namespace=DESK)

    def agents_online(self) -> int:
        return len(+self._agents)

    def agent_connected(self, agent_id: int, sid: str, session_id: str) -> None:
        self._agents[agent_id] += 1
        self._desk_sessions[sid] = session_id

    def agent_disconnected(self, agent_id: int, sid: str) -> None:
        self._agents[agent_id] -= 1
        self._desk_sessions.pop(sid, None)

    async def end_desk_session(self, session_id: str) -> None:
        """Close this gateway's desk sockets that connected with ``session_id`` (its agent logged
        out): a copy of the cookie must not go on listening to every conversation."""
        ended = [sid for sid, session in self._desk_sessions.items() if session == session_id]
        for sid in ended:
            await self._server.disconnect(sid, namespace=DESK)


def _text(data: Any, key: str, limit: int = 4000) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    return value[:limit] if isinstance(value, str) else ""


def _optional(data: Any, key: str) -> str | None:
    return _text(data, key, 64) or None


def _after_id(data: Any) -> int:
    after = data.get("after_id") if isinstance(data, dict) else None
    if isinstance(after, int) and not isinstance(after, bool) and 0 <= after < LARGEST_ID:
        return after
    return 0


def register(
    server: socketio.AsyncServer,
    outbox: SocketOutbox,
    switchboard: Switchboard,
    desk_sessions: DeskSessions,
    agents: AgentRepository,
    *,
    limits: RateLimits,
) -> None:
    async def conversation_of(sid: str) -> str | None:
        session = await server.get_session(sid, namespace=SHOPPER)
        conversation_id = session.get("conversation_id")
        return conversation_id if isinstance(conversation_id, str) else None

    async def within_budget(sid: str) -> bool:
        session = await server.get_session(sid, namespace=SHOPPER)
        return limits.allow_event(sid, str(session.get("ip", "unknown")))

    @server.on("connect", namespace=SHOPPER)  # type: ignore[untyped-decorator]
    async def shopper_connect(sid: str, environ: dict[str, Any], _auth: Any = None) -> None:
        ip = client_ip(environ)
        if not limits.per_ip.allow(ip):
            raise socketio.exceptions.ConnectionRefusedError(TOO_FAST)
        await server.save_session(sid, {"ip": ip}, namespace=SHOPPER)

    @server.on("disconnect", namespace=SHOPPER)  # type: ignore[untyped-decorator]
    async def shopper_disconnect(sid: str, _reason: Any = None) -> None:
        limits.per_connection.forget(sid)

    @server.on("hello", namespace=SHOPPER)  # type: ignore[untyped-decorator]
    async def hello(sid: str, data: Any = None) -> dict[str, Any]:
        if not await within_budget(sid):
            return {"ok": False, "error": TOO_FAST}
        try:
            opened = await switchboard.open_session(
                _optional(data, "conversation_id"), _text(data, "token") or None, _after_id(data)
            )
        except DATABASE_DOWN:
            return {"ok": False, "error": DATABASE_DOWN_ERROR}
        except Exception:  # the widget waits for an answer: a bug must not leave it hanging
            log.exception("hello failed")
            return {"ok": False, "error": UNEXPECTED_ERROR}
        previous = await conversation_of(sid)
        if previous and previous != opened.conversation.id:
            await server.leave_room(sid, conversation_room(previous), namespace=SHOPPER)
        async with server.session(sid, namespace=SHOPPER) as session:
            session["conversation_id"] = opened.conversation.id
        await server.enter_room(sid, conversation_room(opened.conversation.id), namespace=SHOPPER)
        customer = opened.customer
        return {
            "ok": True,
            "conversation_id": opened.conversation.id,
            "customer": {"name": customer.name, "ref": customer.external_ref} if customer else None,
            "identity_error": opened.identity_error,
            "status": status_view(opened.conversation, opened.queue_position),
            "messages": [shopper_message_view(m) for m in opened.transcript],
        }

    async def guarded(sid: str, action: Any) -> dict[str, Any]:
        conversation_id = await conversation_of(sid)
        if conversation_id is None:
            return {"ok": False, "error": "say hello first"}
        if not await within_budget(sid):
            return {"ok": False, "error": TOO_FAST}
        try:
            result: dict[str, Any] = await action(conversation_id)
        except NotAllowed as refused:
            return {"ok": False, "error": str(refused)}
        except DATABASE_DOWN:
            return {"ok": False, "error": DATABASE_DOWN_ERROR}
        except Exception:  # the widget waits for an answer: a bug must not leave it hanging
            log.exception("a shopper event failed")
            return {"ok": False, "error": UNEXPECTED_ERROR}
        return {"ok": True, **result}

    @server.on("message", namespace=SHOPPER)  # type: ignore[untyped-decorator]
    async def message(sid: str, data: Any = None) -> dict[str, Any]:
        async def send(conversation_id: str) -> dict[str, Any]:
            await switchboard.shopper_message(
                conversation_id, _text(data, "text"), _optional(data, "client_id")
            )
            return {}

        return await guarded(sid, send)

    @server.on("button", namespace=SHOPPER)  # type: ignore[untyped-decorator]
    async def button(sid: str, data: Any = None) -> dict[str, Any]:
        async def click(conversation_id: str) -> dict[str, Any]:
            await switchboard.shopper_button(
                conversation_id,
                _text(data, "payload", 500),
                _text(data, "title", 200),
                _optional(data, "client_id"),
            )
            return {}

        return await guarded(sid, click)

    @server.on("ask_agent", namespace=SHOPPER)  # type: ignore[untyped-decorator]
    async def ask_agent(sid: str, _data: Any = None) -> dict[str, Any]:
        async def ask(conversation_id: str) -> dict[str, Any]:
            await switchboard.shopper_asks_for_agent(conversation_id)
            return {}

        return await guarded(sid, ask)

    @server.on("leave_message", namespace=SHOPPER)  # type: ignore[untyped-decorator]
    async def leave_message(sid: str, data: Any = None) -> dict[str, Any]:
        async def leave(conversation_id: str) -> dict[str, Any]:
            ticket = await switchboard.leave_message(
                conversation_id, _text(data, "email", 254), _text(data, "message")
            )
            return {"ticket_id": ticket.id}

        return await guarded(sid, leave)

    @server.on("connect", namespace=DESK)  # type: ignore[untyped-decorator]
    async def desk_connect(sid: str, environ: dict[str, Any], _auth: Any = None) -> None:
        session = desk_sessions.session(cookie_from_header(environ.get("HTTP_COOKIE")))
        agent = agents.get(session.agent_id) if session is not None else None
        if session is None or agent is None:
            raise socketio.exceptions.ConnectionRefusedError("log in first")
        await server.save_session(sid, {"agent_id": agent.id}, namespace=DESK)
        await server.enter_room(sid, DESK_ROOM, namespace=DESK)
        outbox.agent_connected(agent.id, sid, session.session_id)
        await outbox.to_desk("agents", {"online": outbox.agents_online()})

    @server.on("disconnect", namespace=DESK)  # type: ignore[untyped-decorator]
    async def desk_disconnect(sid: str, _reason: Any = None) -> None:
        session = await server.get_session(sid, namespace=DESK)
        if isinstance(session.get("agent_id"), int):
            outbox.agent_disconnected(session["agent_id"], sid)
            await outbox.to_desk("agents", {"online": outbox.agents_online()})

    @server.on("typing", namespace=DESK)  # type: ignore[untyped-decorator]
    async def desk_typing(sid: str, data: Any = None) -> None:
        session = await server.get_session(sid, namespace=DESK)
        agent = agents.get(session["agent_id"]) if "agent_id" in session else None
        conversation_id = _optional(data, "conversation_id")
        if agent and conversation_id:
            await switchboard.agent_typing(conversation_id, agent)
