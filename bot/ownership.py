"""Who holds a conversation, and how that may change: a pure state machine.

    bot ──escalate──► queued ──take──► agent ──hand_back──► bot
     │                  │
     │                  └──withdraw──► bot      (the shopper leaves a message instead of waiting)
     └────────pick─────────────────► agent     (an agent picks it from the live list)

Every change has a consequence for the assistant's tracker in Rasa: leaving the assistant pauses
it (``ConversationPaused``), coming back resumes it (``ConversationResumed``); moving between the
queue and an agent leaves it paused.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from insight.db.models import ConversationOwner as Owner

__all__ = [
    "Handoff",
    "IllegalTransition",
    "Owner",
    "TrackerEffect",
    "allowed",
    "next_owner",
    "tracker_effect",
]


class Handoff(enum.StrEnum):
    ESCALATE = "escalate"
    TAKE = "take"
    PICK = "pick"
    HAND_BACK = "hand_back"
    WITHDRAW = "withdraw"


class TrackerEffect(enum.StrEnum):
    PAUSE = "pause"
    RESUME = "resume"


TRANSITIONS: Mapping[tuple[Owner, Handoff], Owner] = {
    (Owner.BOT, Handoff.ESCALATE): Owner.QUEUED,
    (Owner.BOT, Handoff.PICK): Owner.AGENT,
    (Owner.QUEUED, Handoff.TAKE): Owner.AGENT,
    (Owner.QUEUED, Handoff.WITHDRAW): Owner.BOT,
    (Owner.AGENT, Handoff.HAND_BACK): Owner.BOT,
}


class IllegalTransition(ValueError):
    def __init__(self, owner: Owner, event: Handoff) -> None:
        super().__init__(f"cannot {event} a conversation held by the {owner}")
        self.owner = owner
        self.event = event


def next_owner(owner: Owner, event: Handoff) -> Owner:
    try:
        return TRANSITIONS[(owner, event)]
    except KeyError:
        raise IllegalTransition(owner, event) from None


def allowed(owner: Owner) -> frozenset[Handoff]:
    return frozenset(event for (start, event) in TRANSITIONS if start is owner)


def tracker_effect(before: Owner, after: Owner) -> TrackerEffect | None:
    """What the Rasa tracker needs so that it is paused exactly while the assistant is not
    in charge."""
    if before is Owner.BOT and after is not Owner.BOT:
        return TrackerEffect.PAUSE
    if before is not Owner.BOT and after is Owner.BOT:
        return TrackerEffect.RESUME
    return None
