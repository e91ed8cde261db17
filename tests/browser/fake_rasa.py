"""A scripted stand-in for the Rasa server: the REST channel and the parts of the HTTP API the
gateway uses, with Rasa's semantics for paused conversations and unknown intents.

The gateway's own behaviour (cards, queue, takeover, hand-back) is what the browser tests check,
so the assistant's answers here are fixed and predictable. Run it with
``uvicorn tests.browser.fake_rasa:create_app --factory`` (token from FAKE_RASA_TOKEN).
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from insight.db.engine import make_engine, make_sessionmaker
from insight.repositories import OrderRepository
from insight.settings import Settings
from insight.support.invoices import InvoiceLinks

ORDER_NUMBER = "SS-100001"
ORDER_CARD: dict[str, Any] = {
    "order": {
        "number": ORDER_NUMBER,
        "status": "shipped",
        "placed_at": "2026-11-17",
        "total": "799.00",
        "currency": "EUR",
        "carrier": "DHL",
        "tracking_number": "DHL123456",
        "eta": "2026-11-22",
        "items": [{"name": "Aero 14 Laptop", "quantity": 1}],
        "events": [{"when": "2026-11-19", "where": "Hamburg", "what": "Arrived at sorting centre"}],
    }
}
PRODUCT_CARDS = {
    "products": [
        {"name": "Quiet 2 Headphones", "price": "99.90", "currency": "EUR", "reason": "in stock"},
        {"name": "Aero 14 Laptop", "price": "799.00", "currency": "EUR", "reason": "popular"},
    ]
}
TRIGGERED = {
    "EXTERNAL_agent_handback": "Welcome back! {agent_name} told me: {handback_summary}",
    "EXTERNAL_start_return": "Let's start your return for order {order_number}.",
}
UPSET = ("useless", "ridiculous", "unacceptable", "angry")


class RestMessage(BaseModel):
    sender: str
    message: str
    metadata: dict[str, Any] | None = None


class Trigger(BaseModel):
    name: str
    entities: dict[str, str] = {}


@cache
def _orders_and_links() -> tuple[OrderRepository, InvoiceLinks]:
    """One engine for the fake's lifetime, over the database the gateway uses."""
    settings = Settings.from_env()
    sessions = make_sessionmaker(make_engine(settings.database_url))
    return OrderRepository(sessions), InvoiceLinks(settings.desk_session_secret)


def order_card(metadata: dict[str, Any]) -> dict[str, Any]:
    """``ORDER_CARD`` with the invoice link the action server would sign for this shopper."""
    orders, links = _orders_and_links()
    order = orders.for_customer(int(metadata["customer_id"]), ORDER_NUMBER)
    link = links.url(order) if order else None
    return {"order": {**ORDER_CARD["order"], "invoice_url": link}}


def create_app() -> FastAPI:
    token = os.environ.get("FAKE_RASA_TOKEN", "fake-token")
    app = FastAPI()
    events: dict[str, list[dict[str, Any]]] = {}
    paused: set[str] = set()

    def check(given: str | None) -> None:
        if given != token:
            raise HTTPException(401, "bad token")

    def answer(sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        # a button's intent command, e.g. /ask_order_status, reads like its words
        lowered = text.lower().lstrip("/").replace("_", " ")
        if any(word in lowered for word in UPSET):
            paused.add(sender)
            events[sender].append({"event": "pause"})
            return [
                {"text": "I'm sorry. Let me find a person who can help."},
                {"custom": {"handoff": {"reason": "the shopper is frustrated", "priority": 0.8}}},
            ]
        if "order" in lowered:
            if metadata.get("customer_id") is None:
                return [{"text": "Please log in so I can look up your orders."}]
            return [{"text": "Here is your latest order:"}, {"custom": order_card(metadata)}]
        if "recommend" in lowered:
            return [{"text": "You might like these:"}, {"custom": PRODUCT_CARDS}]
        if lowered.strip() in {"hi", "hello", "hey"}:
            return [
                {
                    "text": "Hi! How can I help?",
                    "buttons": [
                        {"title": "Where is my order?", "payload": "/ask_order_status"},
                        {"title": "Recommend something", "payload": "/ask_recommendation"},
                    ],
                }
            ]
        return [{"text": f"You said: {text}"}]

    @app.get("/")
    def hello() -> str:
        return "Hello from Rasa: 3.6.21 (fake)"

    @app.post("/webhooks/rest/webhook")
    def webhook(body: RestMessage) -> list[dict[str, Any]]:
        log = events.setdefault(body.sender, [])
        log.append({"event": "user", "text": body.message, "metadata": body.metadata or {}})
        if body.sender in paused:
            return []
        replies = answer(body.sender, body.message, body.metadata or {})
        return [{"recipient_id": body.sender, **reply} for reply in replies]

    @app.post("/conversations/{sender}/tracker/events")
    def append(sender: str, event: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        check(token)
        events.setdefault(sender, []).append({"event": event["event"]})
        if event["event"] == "pause":
            paused.add(sender)
        elif event["event"] == "resume":
            paused.discard(sender)
        return {"sender_id": sender}

    @app.post("/conversations/{sender}/trigger_intent")
    def trigger(sender: str, body: Trigger, token: str | None = None) -> dict[str, Any]:
        check(token)
        if body.name not in TRIGGERED:
            raise HTTPException(404, f"The intent {body.name} does not exist in the domain.")
        events.setdefault(sender, []).append({"event": "user", "intent": body.name})
        if sender in paused:
            return {"tracker": {}, "messages": []}
        text = TRIGGERED[body.name].format_map({"order_number": "?", **body.entities})
        return {"tracker": {}, "messages": [{"recipient_id": sender, "text": text}]}

    @app.get("/conversations/{sender}/tracker")
    def tracker(sender: str, token: str | None = None) -> dict[str, Any]:
        check(token)
        return {"sender_id": sender, "paused": sender in paused, "events": events.get(sender, [])}

    return app
