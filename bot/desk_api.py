"""The agent desk's HTTP API: log in, read the queue and conversations, take over, reply, note,
hand back. Live updates reach the desk over socket.io (bot/sockets.py).

No ``from __future__ import annotations`` here: FastAPI must see the dependency annotations of
the route functions, which refer to ``current_agent``, a local of ``desk_router``.
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Depends, HTTPException, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from bot.desk_auth import COOKIE, SHIFT_S, DeskSessions
from bot.desk_views import assist_view, detail_view, queue_entry_view
from bot.guards import RateLimits, client_ip
from bot.handback import Handback, HandbackTask
from bot.problems import invalid, problems
from bot.switchboard import HandbackFailed, NotAllowed, Switchboard
from bot.views import conversation_view, desk_message_view, note_view
from insight.agents import AgentAccount, AgentRepository
from insight.conversations import ConversationRecord
from insight.report.support import CSV_TABLES, SupportAnalytics, stats_csv, stats_json
from insight.support.assist import HandoverAssist

DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 366
NOT_FOUND = problems({404: "no such conversation"})
ADMINS_ONLY = problems({403: "the analytics are for admins"})
CONFLICT = problems({409: "the conversation's state does not allow it (another agent holds it…)"})


class CsvResponse(PlainTextResponse):
    media_type = "text/csv"


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class AgentOut(BaseModel):
    id: int
    username: str
    display_name: str
    is_admin: bool


class Reply(BaseModel):
    text: str = Field(min_length=1, max_length=2000)
    client_id: str | None = Field(default=None, max_length=64)


class Note(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class HandbackIn(BaseModel):
    task: HandbackTask = HandbackTask.BACK_TO_ASSISTANT
    summary: str = Field(default="", max_length=500)
    details: dict[str, str] = Field(default_factory=dict)


def desk_router(
    switchboard: Switchboard,
    agents: AgentRepository,
    sessions: DeskSessions,
    limits: RateLimits,
    *,
    assist: HandoverAssist,
    analytics: SupportAnalytics,
    end_live_session: Callable[[str], Awaitable[None]],
) -> APIRouter:
    router = APIRouter(
        prefix="/api/desk",
        tags=["agent desk"],
        responses=problems(
            {
                401: "not logged in, or the desk session expired",
                503: "the shop database is not reachable right now",
            }
        ),
    )

    def current_agent(
        token: Annotated[str | None, Cookie(alias=COOKIE)] = None,
    ) -> AgentAccount:
        agent_id = sessions.agent_id(token)
        agent = agents.get(agent_id) if agent_id is not None else None
        if agent is None:
            raise HTTPException(401, "log in first")
        return agent

    def refused(error: Exception) -> HTTPException:
        return HTTPException(409, str(error))

    def period(since: date | None, until: date | None) -> tuple[date, date]:
        """``[since, until)``; by default the last 30 days, today included."""
        end = until or datetime.now(UTC).date() + timedelta(days=1)
        try:
            start = since or end - timedelta(days=DEFAULT_PERIOD_DAYS)
        except OverflowError:  # until in January of year 1: the default start is no date
            raise invalid(("query", "until"), "until is too early") from None
        if start >= end or (end - start).days > MAX_PERIOD_DAYS:
            why = f"since must be before until, at most {MAX_PERIOD_DAYS} days"
            raise invalid(("query", "since"), why)
        return start, end

    def current_admin(agent: Annotated[AgentAccount, Depends(current_agent)]) -> AgentAccount:
        if not agent.is_admin:
            raise HTTPException(403, "the analytics are for admins")
        return agent

    @router.post(
        "/login",
        response_model=AgentOut,
        responses=problems(
            {
                401: "wrong username or password",
                429: "too many login attempts from this address",
            }
        ),
    )
    def login(body: Login, request: Request, response: Response) -> AgentOut:
        if not limits.logins.allow(client_ip(request.scope)):
            raise HTTPException(
                429, "too many login attempts; wait a minute", {"Retry-After": "60"}
            )
        agent = agents.authenticate(body.username, body.password)
        if agent is None:
            raise HTTPException(401, "wrong username or password")
        response.set_cookie(
            COOKIE,
            sessions.issue(agent.id),
            max_age=SHIFT_S,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return AgentOut(**agent.__dict__)

    @router.post("/logout", status_code=204)
    async def logout(
        response: Response, token: Annotated[str | None, Cookie(alias=COOKIE)] = None
    ) -> None:
        """End the desk session: its cookie, and any copy of it, is refused from now on, and
        the desk connections it opened are closed."""
        session_id = sessions.revoke(token)
        if session_id is not None:
            await end_live_session(session_id)
        response.delete_cookie(COOKIE)

    @router.get("/me", response_model=AgentOut)
    def me(agent: Annotated[AgentAccount, Depends(current_agent)]) -> AgentOut:
        return AgentOut(**agent.__dict__)

    @router.get("/queue")
    def queue(agent: Annotated[AgentAccount, Depends(current_agent)]) -> dict[str, Any]:
        """Escalated conversations (most urgent first), the agent's own, and those the
        assistant is handling now (an agent may pick one)."""

        def named(conversation: ConversationRecord) -> dict[str, Any]:
            card = switchboard.card(conversation)
            return conversation_view(conversation) | {"customer_name": card.name if card else None}

        return {
            "queue": [queue_entry_view(e) for e in switchboard.queue()],
            "mine": [named(c) for c in switchboard.held_by(agent)],
            "with_assistant": [named(c) for c in switchboard.with_assistant()],
        }

    @router.get("/conversations/{conversation_id}", responses=NOT_FOUND)
    def conversation(
        conversation_id: str, agent: Annotated[AgentAccount, Depends(current_agent)]
    ) -> dict[str, Any]:
        try:
            return detail_view(switchboard.detail(conversation_id))
        except NotAllowed as error:
            raise HTTPException(404, str(error)) from error

    @router.get("/conversations/{conversation_id}/assist", responses=NOT_FOUND)
    def assistance(
        conversation_id: str, agent: Annotated[AgentAccount, Depends(current_agent)]
    ) -> dict[str, Any]:
        """Agent assist: a summary of the conversation so far and replies to start from (the
        FAQ answer to the latest question, the facts of the orders it is about)."""
        try:
            return assist_view(assist.for_conversation(switchboard.conversation(conversation_id)))
        except NotAllowed as error:
            raise HTTPException(404, str(error)) from error

    @router.post("/conversations/{conversation_id}/take", responses=CONFLICT)
    async def take(
        conversation_id: str, agent: Annotated[AgentAccount, Depends(current_agent)]
    ) -> dict[str, Any]:
        """Take over: the assistant pauses and the shopper's messages come to this agent."""
        try:
            return conversation_view(await switchboard.take(conversation_id, agent))
        except NotAllowed as error:
            raise refused(error) from error

    @router.post("/conversations/{conversation_id}/messages", responses=CONFLICT)
    async def reply(
        conversation_id: str, body: Reply, agent: Annotated[AgentAccount, Depends(current_agent)]
    ) -> dict[str, Any]:
        try:
            message = await switchboard.agent_message(
                conversation_id, agent, body.text, body.client_id
            )
        except NotAllowed as error:
            raise refused(error) from error
        return desk_message_view(message)

    @router.post("/conversations/{conversation_id}/notes", responses=CONFLICT)
    async def note(
        conversation_id: str, body: Note, agent: Annotated[AgentAccount, Depends(current_agent)]
    ) -> dict[str, Any]:
        """A private note: other agents see it, the shopper never does."""
        try:
            return note_view(await switchboard.add_note(conversation_id, agent, body.text))
        except NotAllowed as error:
            raise refused(error) from error

    @router.post("/conversations/{conversation_id}/handback", responses=CONFLICT)
    async def handback(
        conversation_id: str,
        body: HandbackIn,
        agent: Annotated[AgentAccount, Depends(current_agent)],
    ) -> dict[str, Any]:
        """Back to the assistant, optionally with a task for it (see bot/handback.py)."""
        try:
            back = await switchboard.hand_back(
                conversation_id, agent, Handback(body.task, body.summary, body.details)
            )
        except (NotAllowed, HandbackFailed) as error:
            raise refused(error) from error
        return conversation_view(back)

    @router.get("/analytics", responses=ADMINS_ONLY)
    def support_analytics(
        admin: Annotated[AgentAccount, Depends(current_admin)],
        since: date | None = None,
        until: date | None = None,
    ) -> dict[str, Any]:
        """The shop owner's figures for conversations started in ``[since, until)``:
        containment per day, hand-overs by reason, CSAT, response times, unanswered questions
        clustered, emotion mix (admins only)."""
        return stats_json(analytics.stats(*period(since, until)))

    @router.get("/analytics.csv", response_class=CsvResponse, responses=ADMINS_ONLY)
    def support_analytics_csv(
        admin: Annotated[AgentAccount, Depends(current_admin)],
        table: Annotated[str, Query(pattern="^(" + "|".join(CSV_TABLES) + ")$")],
        since: date | None = None,
        until: date | None = None,
    ) -> CsvResponse:
        """One table of the analytics as CSV, for a spreadsheet (admins only)."""
        start, end = period(since, until)
        return CsvResponse(
            stats_csv(analytics.stats(start, end), table),
            headers={
                "Content-Disposition": f'attachment; filename="shopsense-{table}-{start}-{end}.csv"'
            },
        )

    @router.get("/tickets")
    def tickets(agent: Annotated[AgentAccount, Depends(current_agent)]) -> list[dict[str, Any]]:
        """Messages shoppers left when no agent was online."""
        return [
            {
                "id": t.id,
                "conversation_id": t.conversation_id,
                "customer_id": t.customer_id,
                "email": t.email,
                "message": t.message,
                "status": t.status,
                "at": t.created_at.isoformat() + "Z",
            }
            for t in switchboard.tickets()
        ]

    return router
