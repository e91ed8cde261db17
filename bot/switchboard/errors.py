"""What the switchboard refuses, and the outages it waits out.

The HTTP and socket.io layers turn these into answers: a refusal into 4xx or ``{ok: false}``
with its message, a database outage into 503 or "try again in a moment".
"""

from __future__ import annotations

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.rasa_client import RasaUnavailable

# The database errors that mean "not reachable right now" (stopped, renamed, locked, unreadable),
# as opposed to a bug: messages are held and delivered when it is back.
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)
# What makes a shopper's message wait: the assistant or the database out.
OUTAGES = (RasaUnavailable, *DATABASE_DOWN)


class NotAllowed(RuntimeError):
    """The request does not fit the conversation's state (wrong owner, not issued, bad input)."""


class NotYours(NotAllowed):
    """A guest (the HTTP API) reached for a signed-in customer's conversation."""


class CatchingUp(NotAllowed):
    """An outage goes on and the gateway holds as many messages as it may: try again later."""


class HandbackFailed(RuntimeError):
    """The assistant could not take the conversation back; it stays with the agent."""
