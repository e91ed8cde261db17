"""Support agents' accounts: create, authenticate (argon2 password hashes), look up; and the desk
sessions they logged out of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import Agent, DeskSessionRevocation

# The demo shop's agents (`make run` creates them when demo mode is on); never in production.
# Alice is also the demo shop's admin (she sees the analytics), Bob is not.
DEMO_AGENTS = (("alice", "Alice Martin", True), ("bob", "Bob Chen", False))
DEMO_AGENT_PASSWORD = "demo"


@dataclass(frozen=True)
class AgentAccount:
    id: int
    username: str
    display_name: str
    is_admin: bool = False


class AgentExists(ValueError):
    """An agent with this username already exists."""


def _account(row: Agent) -> AgentAccount:
    return AgentAccount(
        id=row.id, username=row.username, display_name=row.display_name, is_admin=row.is_admin
    )


class AgentRepository:
    def __init__(
        self, sessions: sessionmaker[Session], hasher: PasswordHasher | None = None
    ) -> None:
        self._sessions = sessions
        self._hasher = hasher or PasswordHasher()
        self._missing_user_hash: str | None = None

    def create(
        self, username: str, display_name: str, password: str, admin: bool = False
    ) -> AgentAccount:
        if not username.strip() or not password:
            raise ValueError("an agent needs a username and a password")
        row = Agent(
            username=username.strip().lower(),
            display_name=display_name.strip() or username.strip(),
            password_hash=self._hasher.hash(password),
            is_admin=admin,
            created_at=datetime.now(UTC).replace(tzinfo=None),
        )
        try:
            with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError as error:
            raise AgentExists(username) from error
        return _account(row)

    def ensure(self, username: str, display_name: str, password: str, admin: bool = False) -> bool:
        """Create the agent unless one with this username exists; True when it was created."""
        if self.by_username(username) is not None:
            return False
        try:
            self.create(username, display_name, password, admin)
        except AgentExists:
            return False
        return True

    def authenticate(self, username: str, password: str) -> AgentAccount | None:
        with self._sessions() as session:
            row = session.scalar(select(Agent).where(Agent.username == username.strip().lower()))
            if row is None:
                # Spend the same time as a real check, so timing does not reveal usernames.
                self._missing_user_hash = self._missing_user_hash or self._hasher.hash("x")
                self._verify(self._missing_user_hash, password)
                return None
            if not self._verify(row.password_hash, password):
                return None
            if self._hasher.check_needs_rehash(row.password_hash):
                row.password_hash = self._hasher.hash(password)
                session.commit()
            return _account(row)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def get(self, agent_id: int) -> AgentAccount | None:
        with self._sessions() as session:
            row = session.get(Agent, agent_id)
            return _account(row) if row else None

    def by_username(self, username: str) -> AgentAccount | None:
        with self._sessions() as session:
            row = session.scalar(select(Agent).where(Agent.username == username.strip().lower()))
            return _account(row) if row else None

    def count(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count(Agent.id))) or 0

    def revoke_session(self, session_id: str, expires_at: datetime) -> None:
        """Refuse the desk session ``session_id`` from now until ``expires_at`` (when its cookie
        expires anyway). Revocations of expired sessions are forgotten on the way."""
        now = datetime.now(UTC).replace(tzinfo=None)
        try:
            with self._sessions.begin() as session:
                session.execute(
                    delete(DeskSessionRevocation).where(DeskSessionRevocation.expires_at <= now)
                )
                session.add(DeskSessionRevocation(session_id=session_id, expires_at=expires_at))
        except IntegrityError:
            pass  # revoked before (a second logout with the same cookie)

    def session_revoked(self, session_id: str) -> bool:
        with self._sessions() as session:
            return session.get(DeskSessionRevocation, session_id) is not None


def ensure_demo_agents(agents: AgentRepository) -> list[str]:
    """Create the demo agents that are missing; returns the usernames created."""
    return [
        username
        for username, name, admin in DEMO_AGENTS
        if agents.ensure(username, name, DEMO_AGENT_PASSWORD, admin)
    ]
