"""The switchboard: routes every message of a conversation to whoever holds it, and moves the
conversation between the assistant, the queue and the agents.

Ownership lives in the database (``insight.conversations``); the Rasa tracker is paused exactly
while the assistant is not in charge (``bot.ownership.tracker_effect``). Every store, route and
owner change of a conversation happens under its lock (``locks``). Read the modules one at a time,
in this order:

``board``          the :class:`Switchboard` the rest of ``bot/`` calls: wiring, no logic
``locks``          one asyncio lock per conversation, and why
``directory``      finding a conversation (or refusing), the queue's order, the desk's lists
``fanout``         everything told to the browsers: shopper tabs and agent desks
``handovers``      ownership changes: escalate, take, pick, hand back, withdraw
``routing``        a shopper's message or button: stored once, read once, answered or passed on
``delivery``       a message that meets an outage: held, told once, redelivered in order
``sessions``       the widget's hello: resume or start a conversation, attach the customer
``agent_actions``  an agent's reply, typing and private notes
``errors``, ``texts``  refusals and outages; the sentences the gateway itself says
"""

from bot.switchboard.board import Switchboard
from bot.switchboard.delivery import MAX_HELD_PER_CONVERSATION
from bot.switchboard.directory import ConversationDetail, QueueEntry
from bot.switchboard.errors import DATABASE_DOWN, CatchingUp, HandbackFailed, NotAllowed, NotYours
from bot.switchboard.fanout import Outbox
from bot.switchboard.sessions import ShopperSession, new_conversation_id
from bot.switchboard.texts import (
    CATCHING_UP,
    DATABASE_DOWN_REPLY,
    EMPTY_REPLY,
    NO_AGENT_TEXT,
    QUEUED_TEXT,
    SILENT_REPLY,
    UNAVAILABLE_REPLY,
)

__all__ = [
    "CATCHING_UP",
    "DATABASE_DOWN",
    "DATABASE_DOWN_REPLY",
    "EMPTY_REPLY",
    "MAX_HELD_PER_CONVERSATION",
    "NO_AGENT_TEXT",
    "QUEUED_TEXT",
    "SILENT_REPLY",
    "UNAVAILABLE_REPLY",
    "CatchingUp",
    "ConversationDetail",
    "HandbackFailed",
    "NotAllowed",
    "NotYours",
    "Outbox",
    "QueueEntry",
    "ShopperSession",
    "Switchboard",
    "new_conversation_id",
]
