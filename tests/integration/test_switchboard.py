"""The switchboard on a real database (SQLite and PostgreSQL) with a scripted assistant: who
gets each message, ownership changes, the Rasa tracker, tickets and restarts."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session, sessionmaker

from bot.handback import FALLBACK_TEXT, Handback, HandbackTask
from bot.ownership import Owner
from bot.switchboard import (
    NO_AGENT_TEXT,
    QUEUED_TEXT,
    UNAVAILABLE_REPLY,
    HandbackFailed,
    NotAllowed,
    Switchboard,
)
from bot.tokens import CustomerTokens
from insight.agents import AgentAccount, AgentRepository
from insight.conversations import ConversationRepository
from insight.customer_cards import CustomerCards
from insight.emotion.base import Emotion, EmotionDetector
from insight.emotion.trajectory import EscalationRule
from insight.settings import TokenKey
from insight.understanding.contracts import KeywordUnderstander
from insight.understanding.message import MessageUnderstanding
from tests.factories import ShopFixture
from tests.gateway_fakes import FakeAssistant, RecordingOutbox

pytestmark = pytest.mark.asyncio

HANDOFF: list[dict[str, Any]] = [
    {"text": "Let me find a person."},
    {"custom": {"handoff": {"reason": "refund dispute", "priority": 0.7}}},
]
GREETING = [
    {"text": "Hi!", "buttons": [{"title": "Track order", "payload": "/check_order_status"}]}
]


SECRET = "test-secret-that-is-long-enough-for-hs256"


@dataclass
class Rig:
    board: Switchboard
    assistant: FakeAssistant
    outbox: RecordingOutbox
    conversations: ConversationRepository
    customers: CustomerCards
    tokens: CustomerTokens
    alice: AgentAccount
    bob: AgentAccount

    def restarted(self) -> Switchboard:
        """A new switchboard over the same database, as after a gateway restart."""
        return build_board(self.conversations, self.customers, self.assistant, self.outbox)

    def texts(self, conversation_id: str) -> list[tuple[str, str]]:
        return [(m.sender, m.text) for m in self.conversations.transcript(conversation_id)]


def build_board(
    conversations: ConversationRepository,
    customers: CustomerCards,
    assistant: FakeAssistant,
    outbox: RecordingOutbox,
    emotion: EmotionDetector | None = None,
) -> Switchboard:
    return Switchboard(
        conversations=conversations,
        customers=customers,
        assistant=assistant,
        tokens=CustomerTokens([TokenKey(SECRET)]),
        outbox=outbox,
        escalation_rule=EscalationRule(),
        understanding=MessageUnderstanding(KeywordUnderstander(emotion=emotion)),
    )


@pytest.fixture
def rig(sessions: sessionmaker[Session], shop: ShopFixture) -> Rig:
    agents = AgentRepository(sessions, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    conversations, customers = ConversationRepository(sessions), CustomerCards(sessions)
    assistant, outbox = FakeAssistant(), RecordingOutbox()
    return Rig(
        board=build_board(conversations, customers, assistant, outbox),
        assistant=assistant,
        outbox=outbox,
        conversations=conversations,
        customers=customers,
        tokens=CustomerTokens([TokenKey(SECRET)]),
        alice=agents.create("alice", "Alice", "pw-alice"),
        bob=agents.create("bob", "Bob", "pw-bob"),
    )


async def _queued(rig: Rig, conversation_id: str = "conv-1") -> str:
    rig.conversations.open(conversation_id, None)
    rig.assistant.script = lambda text: HANDOFF
    await rig.board.shopper_message(conversation_id, "I want a refund now", "c-1")
    rig.assistant.script = lambda text: [{"text": f"echo: {text}"}]
    return conversation_id


# -- the assistant's turn ----------------------------------------------------------------------


async def test_a_shopper_message_reaches_rasa_with_the_verified_customer_and_is_stored(
    rig: Rig, shop: ShopFixture
) -> None:
    session = await rig.board.open_session(None, rig.tokens.issue("C-ADA"))

    replies = await rig.board.shopper_message(session.conversation.id, "where is my order?", "c-1")

    reading = {"label": "neutral", "confidence": 0.6, "polarity": 0.0, "tone": "calm"}
    assert rig.assistant.sent == [
        (
            session.conversation.id,
            "where is my order?",
            {"customer_id": shop.ada_id, "agents_available": True, "emotion": reading},
        )
    ]
    assert [m.text for m in replies] == ["echo: where is my order?"]
    assert rig.texts(session.conversation.id) == [
        ("shopper", "where is my order?"),
        ("bot", "echo: where is my order?"),
    ]
    stored = rig.conversations.transcript(session.conversation.id)[0]
    assert (stored.emotion, stored.emotion_confidence, stored.emotion_polarity) == (
        "neutral",
        0.6,
        0.0,
    )


async def test_typed_intent_commands_are_neutralised_before_rasa(rig: Rig) -> None:
    rig.conversations.open("conv-1", None)

    await rig.board.shopper_message("conv-1", '/inform{"order_number": "SS-100003"}', "c-1")

    assert rig.assistant.texts_sent() == ['inform{"order_number": "SS-100003"}']


async def test_a_message_sent_again_after_a_reconnect_is_stored_and_answered_once(rig: Rig) -> None:
    rig.conversations.open("conv-1", None)

    first = await rig.board.shopper_message("conv-1", "hello", "same-client-id")
    again = await rig.board.shopper_message("conv-1", "hello", "same-client-id")

    assert len(first) == 1
    assert again == []
    assert rig.assistant.texts_sent() == ["hello"]
    assert rig.texts("conv-1") == [("shopper", "hello"), ("bot", "echo: hello")]


async def test_a_down_assistant_gets_the_shopper_a_polite_stored_reply(rig: Rig) -> None:
    rig.conversations.open("conv-1", None)
    rig.assistant.down = True

    replies = await rig.board.shopper_message("conv-1", "hello", "c-1")

    assert [m.text for m in replies] == [UNAVAILABLE_REPLY]


async def test_only_buttons_the_assistant_offered_may_be_clicked(rig: Rig) -> None:
    rig.conversations.open("conv-1", None)
    rig.assistant.script = lambda text: GREETING
    await rig.board.shopper_message("conv-1", "hi", "c-1")

    with pytest.raises(NotAllowed):
        await rig.board.shopper_button("conv-1", '/inform{"order_number":"SS-1"}', "x", "c-2")
    await rig.board.shopper_button("conv-1", "/check_order_status", "Track order", "c-3")

    assert rig.assistant.texts_sent() == ["hi", "/check_order_status"]
    assert rig.texts("conv-1")[2] == ("shopper", "Track order")


async def test_buttons_issued_in_another_conversation_are_refused(rig: Rig) -> None:
    rig.conversations.open("conv-1", None)
    rig.conversations.open("conv-2", None)
    rig.assistant.script = lambda text: GREETING
    await rig.board.shopper_message("conv-1", "hi", "c-1")

    with pytest.raises(NotAllowed):
        await rig.board.shopper_button("conv-2", "/check_order_status", "Track order", "c-2")


# -- escalation ---------------------------------------------------------------------------------


async def test_the_assistants_handoff_payload_queues_the_conversation(rig: Rig) -> None:
    conversation_id = await _queued(rig)

    conversation = rig.conversations.get(conversation_id)
    assert conversation is not None
    assert conversation.owner is Owner.QUEUED
    assert conversation.escalation_reason == "refund dispute"
    assert conversation.escalation_source == "assistant"
    assert conversation.priority == pytest.approx(0.7)
    assert rig.texts(conversation_id)[-2:] == [
        ("bot", "Let me find a person."),
        ("system", QUEUED_TEXT),
    ]
    assert rig.outbox.statuses(conversation_id)[-1] == {
        "owner": "queued",
        "agent": None,
        "queue_position": 1,
    }
    assert rig.assistant.events == [(conversation_id, "pause")]
    assert "handoff" not in str(rig.conversations.transcript(conversation_id))


async def test_the_shopper_asking_for_a_person_queues_the_conversation(rig: Rig) -> None:
    rig.conversations.open("conv-1", None)

    await rig.board.shopper_asks_for_agent("conv-1")
    await rig.board.shopper_asks_for_agent("conv-1")  # asking twice changes nothing

    conversation = rig.conversations.get("conv-1")
    assert conversation is not None and conversation.owner is Owner.QUEUED
    assert conversation.escalation_source == "shopper"
    assert rig.assistant.events == [("conv-1", "pause")]


async def test_repeated_frustration_escalates_by_insights_rule(rig: Rig) -> None:
    rig.conversations.open("conv-1", None)

    await rig.board.shopper_message("conv-1", "seriously, still nothing", "c-1")
    await rig.board.shopper_message("conv-1", "where is my parcel", "c-2")
    await rig.board.shopper_message("conv-1", "I am waiting again!", "c-3")
    assert rig.conversations.get("conv-1").owner is Owner.BOT  # type: ignore[union-attr]
    replies = await rig.board.shopper_message("conv-1", "ugh, still no parcel", "c-4")

    conversation = rig.conversations.get("conv-1")
    assert conversation is not None and conversation.owner is Owner.QUEUED
    assert conversation.escalation_source == "emotion"
    assert conversation.escalation_reason == (
        "the shopper sounds upset (frustration in the last 2 messages)"
    )
    assert [m.text for m in replies] == ["echo: ugh, still no parcel", QUEUED_TEXT]
    emotions = [m.emotion for m in rig.conversations.transcript("conv-1") if m.sender == "shopper"]
    assert emotions == ["frustration", "neutral", "frustration", "frustration"]
    assert rig.assistant.events == [("conv-1", "pause")]


class _Scripted:
    """Reads each message as the next emotion of a script."""

    def __init__(self, *readings: Emotion) -> None:
        self.readings = list(readings)

    def warm_up(self) -> None:
        """Nothing to load."""

    def detect(self, text: str) -> Emotion:
        return self.readings.pop(0)


async def test_acute_anger_and_a_sharp_drop_in_mood_escalate_too(rig: Rig) -> None:
    angry = Emotion("anger", 0.95, -0.9)
    content, upset = Emotion("gratitude", 0.9, 0.8), Emotion("sadness", 0.8, -0.7)
    board = build_board(
        rig.conversations, rig.customers, rig.assistant, rig.outbox, _Scripted(angry)
    )
    rig.conversations.open("conv-1", None)
    rig.conversations.open("conv-2", None)

    await board.shopper_message("conv-1", "you lost my order", "c-1")
    board = build_board(
        rig.conversations, rig.customers, rig.assistant, rig.outbox, _Scripted(content, upset)
    )
    await board.shopper_message("conv-2", "that sorts it", "c-1")
    await board.shopper_message("conv-2", "no wait, it's the wrong one", "c-2")

    reasons = [rig.conversations.get(c) for c in ("conv-1", "conv-2")]
    assert [(r.owner, r.escalation_reason) for r in reasons if r] == [
        (Owner.QUEUED, "the shopper sounds upset (very angry)"),
        (Owner.QUEUED, "the shopper sounds upset (their mood fell sharply)"),
    ]


class _Broken:
    def warm_up(self) -> None:
        raise FileNotFoundError("no emotion model")

    def detect(self, text: str) -> Emotion:
        raise FileNotFoundError("no emotion model")


async def test_without_an_emotion_reading_the_message_is_still_stored_and_answered(
    rig: Rig,
) -> None:
    board = build_board(rig.conversations, rig.customers, rig.assistant, rig.outbox, _Broken())
    rig.conversations.open("conv-1", None)

    replies = await board.shopper_message("conv-1", "this is a scam", "c-1")

    assert [m.text for m in replies] == ["echo: this is a scam"]
    assert rig.assistant.sent == [
        ("conv-1", "this is a scam", {"customer_id": None, "agents_available": True})
    ]
    assert rig.conversations.transcript("conv-1")[0].emotion is None


async def test_with_no_agent_online_the_shopper_can_leave_a_message_instead(rig: Rig) -> None:
    rig.outbox.online = 0
    conversation_id = await _queued(rig)

    conversation = rig.conversations.get(conversation_id)
    assert conversation is not None and conversation.owner is Owner.BOT
    last = rig.conversations.transcript(conversation_id)[-1]
    assert (last.sender, last.text, last.payload) == (
        "system",
        NO_AGENT_TEXT,
        {"ticket_form": True},
    )
    # the assistant's handoff paused its tracker; nobody can take over, so it is resumed
    assert rig.assistant.events == [(conversation_id, "resume")]

    with pytest.raises(NotAllowed):
        await rig.board.leave_message(conversation_id, "not-an-email", "help")
    ticket = await rig.board.leave_message(conversation_id, "ada@example.com", "My refund, please")

    assert [(t.id, t.email, t.message) for t in rig.board.tickets()] == [
        (ticket.id, "ada@example.com", "My refund, please")
    ]


async def test_leaving_a_message_while_queued_leaves_the_queue(rig: Rig) -> None:
    conversation_id = await _queued(rig)

    await rig.board.leave_message(conversation_id, "ada@example.com", "call me back")

    assert rig.conversations.get(conversation_id).owner is Owner.BOT  # type: ignore[union-attr]
    assert rig.assistant.events == [(conversation_id, "pause"), (conversation_id, "resume")]
    assert rig.board.queue() == []


async def test_the_queue_puts_the_most_urgent_first_and_tells_each_shopper_their_place(
    rig: Rig,
) -> None:
    rig.conversations.open("calm", None)
    await rig.board.shopper_asks_for_agent("calm")  # priority 0.5
    await _queued(rig, "urgent")  # priority 0.7

    assert [e.conversation.id for e in rig.board.queue()] == ["urgent", "calm"]
    assert rig.outbox.statuses("calm")[-1]["queue_position"] == 2
    assert rig.outbox.statuses("urgent")[-1]["queue_position"] == 1


# -- agents ---------------------------------------------------------------------------------


async def test_an_agent_takes_over_and_the_shoppers_messages_go_to_the_agent(rig: Rig) -> None:
    conversation_id = await _queued(rig)

    await rig.board.take(conversation_id, rig.alice)
    replies = await rig.board.shopper_message(conversation_id, "are you a person?", "c-2")
    await rig.board.agent_message(conversation_id, rig.alice, "Yes, I'm Alice.", "a-1")

    assert replies == []
    assert rig.assistant.texts_sent() == ["I want a refund now"]
    assert rig.texts(conversation_id)[-3:] == [
        ("system", "Alice from our support team has joined the conversation."),
        ("shopper", "are you a person?"),
        ("agent", "Yes, I'm Alice."),
    ]
    # the desk's emotion timeline goes on while the agent holds the conversation
    assert rig.conversations.transcript(conversation_id)[-2].emotion == "neutral"
    assert rig.outbox.statuses(conversation_id)[-1] == {
        "owner": "agent",
        "agent": "Alice",
        "queue_position": None,
    }
    desk_messages = [d["message"]["text"] for e, d in rig.outbox.desk if e == "message"]
    assert "are you a person?" in desk_messages


async def test_two_agents_cannot_both_take_the_same_conversation(rig: Rig) -> None:
    conversation_id = await _queued(rig)

    results = await asyncio.gather(
        rig.board.take(conversation_id, rig.alice),
        rig.board.take(conversation_id, rig.bob),
        return_exceptions=True,
    )

    assert sum(isinstance(r, NotAllowed) for r in results) == 1
    conversation = rig.conversations.get(conversation_id)
    assert conversation is not None
    loser = rig.bob if conversation.agent_id == rig.alice.id else rig.alice
    with pytest.raises(NotAllowed):
        await rig.board.agent_message(conversation_id, loser, "me too", None)


async def test_an_agent_may_pick_a_conversation_the_assistant_holds(rig: Rig) -> None:
    rig.conversations.open("conv-1", None)

    await rig.board.take("conv-1", rig.bob)

    conversation = rig.conversations.get("conv-1")
    assert conversation is not None and conversation.owner is Owner.AGENT
    assert conversation.escalation_source == "agent"
    assert rig.assistant.events == [("conv-1", "pause")]


async def test_a_message_typed_during_a_takeover_is_delivered_exactly_once(rig: Rig) -> None:
    rig.conversations.open("conv-1", None)
    rig.assistant.delay_s = 0.05

    await asyncio.gather(
        rig.board.shopper_message("conv-1", "first", "c-1"),
        rig.board.take("conv-1", rig.alice),
        rig.board.shopper_message("conv-1", "second", "c-2"),
    )

    # "first" was in flight with the assistant; the takeover waited for it; "second" went to Alice
    assert rig.assistant.texts_sent() == ["first"]
    assert rig.texts("conv-1") == [
        ("shopper", "first"),
        ("bot", "echo: first"),
        ("system", "Alice from our support team has joined the conversation."),
        ("shopper", "second"),
    ]


async def test_private_notes_reach_the_desk_and_never_the_shopper(rig: Rig) -> None:
    conversation_id = await _queued(rig)

    await rig.board.add_note(conversation_id, rig.alice, "VIP, offer free shipping")

    assert [n.text for n in rig.board.detail(conversation_id).notes] == ["VIP, offer free shipping"]
    assert "VIP" not in str(rig.outbox.shopper)
    assert "VIP" not in str(rig.conversations.transcript(conversation_id))


# -- handing back ---------------------------------------------------------------------------


async def test_handing_back_with_a_task_resumes_rasa_and_triggers_the_task(rig: Rig) -> None:
    conversation_id = await _queued(rig)
    await rig.board.take(conversation_id, rig.alice)
    rig.assistant.intents["EXTERNAL_start_return"] = [{"text": "Let's start your return."}]

    await rig.board.hand_back(
        conversation_id,
        rig.alice,
        Handback(HandbackTask.START_RETURN, "wants to return the laptop", {"order_number": "SS-1"}),
    )
    await rig.board.shopper_message(conversation_id, "ok", "c-9")

    assert rig.assistant.events == [(conversation_id, "pause"), (conversation_id, "resume")]
    assert rig.assistant.triggered == [
        (
            conversation_id,
            "EXTERNAL_start_return",
            {
                "agent_name": "Alice",
                "handback_summary": "wants to return the laptop",
                "order_number": "SS-1",
            },
        )
    ]
    assert rig.texts(conversation_id)[-4:] == [
        ("system", "Alice handed the conversation back to the assistant."),
        ("bot", "Let's start your return."),
        ("shopper", "ok"),
        ("bot", "echo: ok"),
    ]
    assert rig.conversations.get(conversation_id).owner is Owner.BOT  # type: ignore[union-attr]


async def test_back_to_an_assistant_that_lacks_the_greeting_intent_uses_the_fallback(
    rig: Rig,
) -> None:
    conversation_id = await _queued(rig)
    await rig.board.take(conversation_id, rig.alice)

    await rig.board.hand_back(conversation_id, rig.alice, Handback(HandbackTask.BACK_TO_ASSISTANT))

    assert rig.texts(conversation_id)[-1] == ("bot", FALLBACK_TEXT)
    assert rig.conversations.get(conversation_id).owner is Owner.BOT  # type: ignore[union-attr]


async def test_a_task_the_assistant_cannot_do_keeps_the_conversation_with_the_agent(
    rig: Rig,
) -> None:
    conversation_id = await _queued(rig)
    await rig.board.take(conversation_id, rig.alice)

    with pytest.raises(HandbackFailed):
        await rig.board.hand_back(
            conversation_id, rig.alice, Handback(HandbackTask.SEND_SUGGESTIONS)
        )

    assert rig.conversations.get(conversation_id).owner is Owner.AGENT  # type: ignore[union-attr]
    assert rig.assistant.events[-2:] == [(conversation_id, "resume"), (conversation_id, "pause")]


async def test_a_down_assistant_cannot_take_a_conversation_back(rig: Rig) -> None:
    conversation_id = await _queued(rig)
    await rig.board.take(conversation_id, rig.alice)
    rig.assistant.down = True

    with pytest.raises(HandbackFailed):
        await rig.board.hand_back(
            conversation_id, rig.alice, Handback(HandbackTask.BACK_TO_ASSISTANT)
        )

    assert rig.conversations.get(conversation_id).owner is Owner.AGENT  # type: ignore[union-attr]


async def test_only_the_agent_holding_a_conversation_may_reply_or_hand_it_back(rig: Rig) -> None:
    conversation_id = await _queued(rig)
    await rig.board.take(conversation_id, rig.alice)

    with pytest.raises(NotAllowed):
        await rig.board.agent_message(conversation_id, rig.bob, "hello", None)
    with pytest.raises(NotAllowed):
        await rig.board.hand_back(
            conversation_id, rig.bob, Handback(HandbackTask.BACK_TO_ASSISTANT)
        )
    with pytest.raises(NotAllowed):
        await rig.board.take(conversation_id, rig.bob)


# -- sessions, identity and restarts ----------------------------------------------------------


async def test_a_restarted_gateway_knows_every_conversation_its_owner_and_the_queue(
    rig: Rig,
) -> None:
    queued = await _queued(rig, "queued-one")
    held = await _queued(rig, "held-one")
    await rig.board.take(held, rig.alice)

    board = rig.restarted()
    session = await board.open_session(queued, None)

    assert [e.conversation.id for e in board.queue()] == [queued]
    assert session.queue_position == 1
    assert session.transcript[0].text == "I want a refund now"
    assert [c.id for c in board.held_by(rig.alice)] == [held]
    await board.shopper_message(held, "still there?", "c-5")
    assert rig.assistant.texts_sent() == ["I want a refund now", "I want a refund now"]


async def test_a_token_binds_the_customer_and_a_reload_resumes_without_one(
    rig: Rig, shop: ShopFixture
) -> None:
    first = await rig.board.open_session(None, rig.tokens.issue("C-ADA"))
    await rig.board.shopper_message(first.conversation.id, "hi", "c-1")

    reload = await rig.board.open_session(first.conversation.id, None)

    assert first.customer is not None and first.customer.customer_id == shop.ada_id
    assert reload.conversation.id == first.conversation.id
    assert reload.customer is not None and reload.customer.name == "Ada Lovelace"
    assert [m.text for m in reload.transcript] == ["hi", "echo: hi"]
    assert [
        m.text for m in (await rig.board.open_session(first.conversation.id, None, 1)).transcript
    ] == ["echo: hi"]


async def test_another_customers_token_never_resumes_a_conversation(
    rig: Rig, shop: ShopFixture
) -> None:
    ada = await rig.board.open_session(None, rig.tokens.issue("C-ADA"))

    ben = await rig.board.open_session(ada.conversation.id, rig.tokens.issue("C-BEN"))

    assert ben.conversation.id != ada.conversation.id
    assert ben.customer is not None and ben.customer.customer_id == shop.ben_id


async def test_a_token_replayed_for_another_conversation_is_refused(rig: Rig) -> None:
    token = rig.tokens.issue("C-ADA")
    first = await rig.board.open_session(None, token)

    again_same = await rig.board.open_session(first.conversation.id, token)
    elsewhere = await rig.board.open_session(None, token)

    assert again_same.identity_error is None and again_same.customer is not None
    assert elsewhere.identity_error == "replayed"
    assert elsewhere.customer is None
    assert elsewhere.conversation.customer_id is None


async def test_a_token_replayed_after_a_gateway_restart_is_still_refused(rig: Rig) -> None:
    """An attacker who copied a shopper's token (from the page, a proxy log, a shared computer)
    waits for a restart, or for a second gateway behind the load balancer, to become her."""
    token = rig.tokens.issue("C-ADA")
    await rig.board.open_session(None, token)

    elsewhere = await rig.restarted().open_session(None, token)

    assert (elsewhere.customer, elsewhere.identity_error) == (None, "replayed")
    assert elsewhere.conversation.customer_id is None


async def test_a_bad_token_leaves_the_shopper_a_guest(rig: Rig) -> None:
    forged = CustomerTokens([TokenKey("some-other-secret-that-is-long-enough")]).issue("C-ADA")

    session = await rig.board.open_session(None, forged)
    unknown = await rig.board.open_session(None, rig.tokens.issue("C-NOBODY"))

    assert (session.customer, session.identity_error) == (None, "invalid")
    assert (unknown.customer, unknown.identity_error) == (None, "unknown customer")
