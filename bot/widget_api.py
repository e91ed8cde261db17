"""The shopper-facing HTTP API (the widget itself talks over socket.io) and the demo-only endpoints
that stand in for the shop's backend on the demo page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from bot.guards import MAX_MESSAGE_CHARS, TOO_FAST, RateLimits, client_ip
from bot.problems import invalid, problems
from bot.switchboard import CatchingUp, NotAllowed, NotYours, Switchboard
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


def shopper_router(switchboard: Switchboard, limits: RateLimits) -> APIRouter:
    router = APIRouter(
        prefix="/api",
        tags=["shopper"],
        responses=problems(
            {503: "the shop database is not reachable, or too many messages wait for an outage"}
        ),
    )

    @router.post(
        "/messages",
        response_model=BotReply,
        responses=problems(
            {
                403: "the conversation belongs to a signed-in customer",
                429: "too many messages from this address",
            }
        ),
    )
    async def send_message(message: ShopperMessage, request: Request) -> BotReply:
        """Send one shopper message without the widget, as a guest (a signed-in customer's
        conversation is refused: identity comes only from the widget's token). The answer holds the
        assistant's replies; while a person holds the conversation it is empty. When the
        assistant or the database is out, it holds a notice and the replies follow in the
        transcript once the message went through."""
        if not limits.per_ip.allow(client_ip(request.scope)):
            raise HTTPException(429, TOO_FAST, headers={"Retry-After": "1"})
        try:
            produced = await switchboard.shopper_message(
                message.sender_id, message.text, None, open_as_guest=True
            )
        except NotYours as error:
            raise HTTPException(403, str(error)) from error
        except CatchingUp as error:
            raise HTTPException(503, str(error), headers={"Retry-After": "5"}) from error
        except NotAllowed as error:
            raise invalid(("body", "text"), str(error)) from error
        return BotReply(messages=[shopper_message_view(m) for m in produced])

    @router.get(
        "/conversations/{conversation_id}/messages",
        responses=problems(
            {404: "no such guest conversation", 429: "too many requests from this address"}
        ),
    )
    def transcript(
        conversation_id: str, request: Request, after_id: int = 0
    ) -> list[dict[str, Any]]:
        """A guest's conversation as the shopper sees it, from the database (the id is the
        secret, so reads spend the address's rate budget); a signed-in customer's conversation
        is not served here."""
        if not limits.per_ip.allow(client_ip(request.scope)):
            raise HTTPException(429, TOO_FAST, headers={"Retry-After": "1"})
        try:
            return [
                shopper_message_view(m)
                for m in switchboard.guest_transcript(conversation_id, after_id)
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

    @router.post("/tokens", response_model=TokenOut, responses=problems({404: "no such customer"}))
    def demo_token(body: TokenRequest) -> TokenOut:
        """DEMO ONLY: a customer token, as the shop's backend would sign it."""
        card = customers.by_ref(body.customer_ref)
        if card is None:
            raise HTTPException(404, "no such customer")
        return TokenOut(token=tokens.issue(card.external_ref), name=card.name)

    return router
