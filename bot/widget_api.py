"""The shopper-facing HTTP API (the widget itself talks over socket.io) and the demo-only endpoints
that stand in for the shop's backend on the demo page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from bot.switchboard import MAX_MESSAGE_CHARS, NotAllowed, Switchboard
from bot.tokens import CustomerTokens
from bot.views import shopper_message_view
from insight.customer_cards import CustomerCards

DEMO_CUSTOMERS = 6


class ShopperMessage(BaseModel):
    sender_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    text: str = Field(max_length=MAX_MESSAGE_CHARS)


class BotReply(BaseModel):
    messages: list[dict[str, Any]]


class TokenRequest(BaseModel):
    customer_ref: str = Field(min_length=1, max_length=64)


class TokenOut(BaseModel):
    token: str
    name: str


class DemoCustomer(BaseModel):
    ref: str
    name: str
    orders: int


def shopper_router(switchboard: Switchboard) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["shopper"])

    @router.post("/messages", response_model=BotReply)
    async def send_message(message: ShopperMessage) -> BotReply:
        """Send one shopper message without the widget (no token: a guest). The answer holds the
        assistant's replies; while a person holds the conversation it is empty."""
        conversation = switchboard.conversation_for(message.sender_id)
        produced = await switchboard.shopper_message(conversation.id, message.text, None)
        return BotReply(messages=[shopper_message_view(m) for m in produced])

    @router.get("/conversations/{conversation_id}/messages")
    def transcript(conversation_id: str, after_id: int = 0) -> list[dict[str, Any]]:
        """The conversation as the shopper sees it, from the database (the id is the secret)."""
        try:
            return [
                shopper_message_view(m) for m in switchboard.transcript(conversation_id, after_id)
            ]
        except NotAllowed as error:
            raise HTTPException(404, str(error)) from error

    return router


def demo_router(tokens: CustomerTokens, customers: CustomerCards) -> APIRouter:
    """DEMO ONLY (SHOPSENSE_DEMO_TOKENS=1): anyone may get a token for any customer here.
    A real shop signs tokens in its own backend for the customer who is logged in."""
    router = APIRouter(prefix="/api/demo", tags=["demo only"])

    @router.get("/customers", response_model=list[DemoCustomer])
    def demo_customers() -> list[DemoCustomer]:
        """DEMO ONLY: customers the demo page lets you play."""
        return [
            DemoCustomer(ref=c.external_ref, name=c.name, orders=c.orders)
            for c in customers.with_orders(DEMO_CUSTOMERS)
        ]

    @router.post("/tokens", response_model=TokenOut)
    def demo_token(body: TokenRequest) -> TokenOut:
        """DEMO ONLY: a customer token, as the shop's backend would sign it."""
        card = customers.by_ref(body.customer_ref)
        if card is None:
            raise HTTPException(404, "no such customer")
        return TokenOut(token=tokens.issue(card.external_ref), name=card.name)

    return router
