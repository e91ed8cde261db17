"""The sentences the gateway itself says in a conversation (the assistant's own live in
``domain.yml``): notices of outages, of the queue, of people joining and leaving."""

from __future__ import annotations

UNAVAILABLE_REPLY = (
    "Give me a moment: I'm having trouble answering right now. I've kept your message and "
    "will answer as soon as I can, or press “Talk to a person” to reach our team."
)
SILENT_REPLY = (
    "Sorry, give me a moment: I couldn't finish that just now. Please try again in a minute, "
    "or press “Talk to a person” and I'll connect you to someone from our team."
)
DATABASE_DOWN_REPLY = (
    "We're having a technical problem right now. Your message is safe with us and we'll answer "
    "it as soon as we're back, in a few moments."
)
EMPTY_REPLY = "I'm here whenever you're ready. How can I help?"
QUEUED_TEXT = "I'm connecting you to a person from our support team."
NO_AGENT_TEXT = (
    "No one from our support team is online right now. Leave your email and a message, "
    "and we'll get back to you."
)
CATCHING_UP = (
    "We're still catching up with the messages sent so far. Please wait a moment before "
    "sending more."
)
# why a conversation is queued, as the agent desk shows it
SHOPPER_ASKED = "the shopper asked for a person"


def agent_joined(agent_name: str) -> str:
    return f"{agent_name} from our support team has joined the conversation."


def handed_back(agent_name: str) -> str:
    return f"{agent_name} handed the conversation back to the assistant."


def message_left(ticket_id: int, email: str) -> str:
    return f"Thanks! We've got your message (ticket #{ticket_id}) and will answer at {email}."
