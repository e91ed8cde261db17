"""Conversation ids out of the gateway's logs.

A conversation id is a bearer secret: whoever knows a guest's id reads the transcript
(``GET /api/conversations/{id}/messages``), and log files are read by more people, and kept
longer, than the shop database. So the gateway's log lines name a conversation by
:func:`conversation_ref`, and :class:`ConversationPathFilter` (on uvicorn's access logger, see
:func:`guard_access_log`) rewrites the ids in the request paths it prints.
"""

from __future__ import annotations

import hashlib
import logging
import re

ACCESS_LOGGER = "uvicorn.access"
REF_HEX_DIGITS = 12
# The path segment after "/conversations/", in the gateway's APIs and in Rasa's HTTP API.
CONVERSATION_PATH = re.compile(r"(/conversations/)([^/?#\s\"']+)")


def conversation_ref(conversation_id: str) -> str:
    """How logs name a conversation: the first 12 hex digits of the id's SHA-256.

    Not a prefix of the id: ids sent to the HTTP API are the client's choice and may be shorter
    than any prefix, and a prefix gives away part of the secret; the digest of a gateway-made
    id (144 random bits) gives away nothing. The same id always has the same ref, so an operator
    who has the id (the shop database and the desk's API hold it) can find its lines; 48 bits
    keep the refs of different conversations apart.
    """
    digest = hashlib.sha256(conversation_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"conv-{digest[:REF_HEX_DIGITS]}"


def without_conversation_ids(text: str) -> str:
    """``text`` with every ``/conversations/<id>`` path segment's id replaced by its ref."""
    return CONVERSATION_PATH.sub(lambda m: m.group(1) + conversation_ref(m.group(2)), text)


class ConversationPathFilter(logging.Filter):
    """Rewrites the conversation ids in a record's message and string arguments.

    The record keeps its shape: uvicorn's access formatter unpacks ``args`` into the client,
    method, path, HTTP version and status, so only the strings among them change.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = without_conversation_ids(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                without_conversation_ids(arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def guard_access_log() -> None:
    """Put :class:`ConversationPathFilter` on uvicorn's access logger, once per process.

    On the logger rather than a handler, so that it holds whatever logging configuration
    uvicorn was started with (its default, ``--log-config``, or none).
    """
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, ConversationPathFilter) for f in access.filters):
        access.addFilter(ConversationPathFilter())
