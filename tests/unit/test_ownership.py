"""The ownership state machine: bot → queued → agent → bot, and nothing else."""

from __future__ import annotations

import itertools

import pytest

from bot.ownership import (
    Handoff,
    IllegalTransition,
    Owner,
    TrackerEffect,
    allowed,
    next_owner,
    tracker_effect,
)

LEGAL = {
    (Owner.BOT, Handoff.ESCALATE): Owner.QUEUED,
    (Owner.BOT, Handoff.PICK): Owner.AGENT,
    (Owner.QUEUED, Handoff.TAKE): Owner.AGENT,
    (Owner.QUEUED, Handoff.WITHDRAW): Owner.BOT,
    (Owner.AGENT, Handoff.HAND_BACK): Owner.BOT,
}


@pytest.mark.parametrize(("start", "event"), sorted(LEGAL))
def test_the_allowed_transitions(start: Owner, event: Handoff) -> None:
    assert next_owner(start, event) is LEGAL[(start, event)]


@pytest.mark.parametrize(
    ("start", "event"),
    [pair for pair in itertools.product(Owner, Handoff) if pair not in LEGAL],
)
def test_every_other_transition_is_illegal(start: Owner, event: Handoff) -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_owner(start, event)
    assert (refused.value.owner, refused.value.event) == (start, event)


def test_what_each_owner_allows() -> None:
    assert allowed(Owner.BOT) == {Handoff.ESCALATE, Handoff.PICK}
    assert allowed(Owner.QUEUED) == {Handoff.TAKE, Handoff.WITHDRAW}
    assert allowed(Owner.AGENT) == {Handoff.HAND_BACK}


def test_the_tracker_is_paused_exactly_while_the_assistant_is_not_in_charge() -> None:
    for (start, _event), end in LEGAL.items():
        effect = tracker_effect(start, end)
        if start is Owner.BOT:
            assert effect is TrackerEffect.PAUSE
        elif end is Owner.BOT:
            assert effect is TrackerEffect.RESUME
        else:
            assert effect is None


def test_a_full_round_trip_returns_to_the_assistant() -> None:
    owner = Owner.BOT
    for event in (Handoff.ESCALATE, Handoff.TAKE, Handoff.HAND_BACK):
        owner = next_owner(owner, event)
    assert owner is Owner.BOT
