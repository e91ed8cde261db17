"""The :class:`Switchboard`: the one object the widget, the desk API and the sockets talk to.

It wires the modules of ``bot.switchboard`` together over one set of conversation locks and
hands each request to the module that owns it; it holds no logic of its own. Read it as the
table of contents: each request names the module where its work is done.
"""

from __future__ import annotations

import math

from bot.identity import ShopperIdentities
from bot.metrics import GatewayMetrics
from bot.rasa_client import Assistant
from bot.switchboard.agent_actions import AgentActions
from bot.switchboard.delivery import Delivery
from bot.switchboard.directory import Directory
from bot.switchboard.errors import DATABASE_DOWN
from bot.switchboard.fanout import FanOut, Outbox
from bot.switchboard.handovers import Handovers
from bot.switchboard.locks import ConversationLocks
from bot.switchboard.routing import MessageRouter
from bot.switchboard.sessions import ShopperSessions
from bot.tokens import CustomerTokens
from insight.conversations import ConversationRepository
from insight.customer_cards import CustomerCards
from insight.emotion.trajectory import EscalationRule
from insight.understanding.message import MessageUnderstanding


class Switchboard:
    def __init__(
        self,
        *,
        conversations: ConversationRepository,
        customers: CustomerCards,
        assistant: Assistant,
        tokens: CustomerTokens,
        outbox: Outbox,
        escalation_rule: EscalationRule,
        understanding: MessageUnderstanding,
        metrics: GatewayMetrics | None = None,
    ) -> None:
        self.metrics = metrics or GatewayMetrics()
        locks = ConversationLocks()
        directory = Directory(conversations, customers)
        fanout = FanOut(conversations, directory, outbox)
        handovers = Handovers(conversations, directory, fanout, assistant, locks, self.metrics)
        router = MessageRouter(
            conversations=conversations,
            directory=directory,
            fanout=fanout,
            handovers=handovers,
            assistant=assistant,
            understanding=understanding,
            escalation_rule=escalation_rule,
            locks=locks,
            metrics=self.metrics,
        )
        delivery = Delivery(router=router, fanout=fanout, locks=locks, metrics=self.metrics)
        sessions = ShopperSessions(
            conversations, ShopperIdentities(tokens, customers, conversations), directory
        )
        agent = AgentActions(conversations, directory, fanout, locks)

        # The shopper's side.
        self.open_session = sessions.open
        self.shopper_message = delivery.shopper_message
        self.held = delivery.held
        self.redeliver = delivery.redeliver
        self.keep_redelivering = delivery.keep_redelivering
        self.shopper_button = router.button
        self.shopper_asks_for_agent = handovers.shopper_asks_for_agent
        self.leave_message = handovers.leave_message
        # The agent's side.
        self.take = handovers.take
        self.hand_back = handovers.hand_back
        self.agent_message = agent.message
        self.agent_typing = agent.typing
        self.add_note = agent.note
        # What the desk and the HTTP API read.
        self.queue = directory.queue
        self.queue_position = directory.queue_position
        self.held_by = directory.held_by
        self.with_assistant = directory.with_assistant
        self.conversation = directory.require
        self.detail = directory.detail
        self.tickets = directory.tickets
        self.guest_transcript = directory.guest_transcript
        self.card = directory.card

        self.metrics.watch(self.held, self._queue_length)

    def _queue_length(self) -> float:
        """For the metrics: NaN while the database is out (a scrape must not fail)."""
        try:
            return len(self.queue())
        except DATABASE_DOWN:
            return math.nan
