"""Which response says what: domain values turned into response names and their variables.

The sentences live in ``domain.yml``; this module only picks the response and fills its
``{placeholders}`` (and the widget card that goes with it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from insight.domain import OrderDetails
from insight.recommend.contracts import Reason, ReasonKind, Suggestion
from insight.support.formatting import day, money, order_card, order_items, product_cards
from insight.support.orders import RefundOverview, Refusal, Refused

STATUS = {
    "placed": "utter_order_status_placed",
    "paid": "utter_order_status_paid",
    "packed": "utter_order_status_packed",
    "shipped": "utter_order_status_shipped",
    "delivered": "utter_order_status_delivered",
    "cancelled": "utter_order_status_cancelled",
    "returned": "utter_order_status_returned",
}
# What each refusal sounds like; "dispatched" depends on what was asked for.
REFUSALS = {
    Refusal.NOT_FOUND: "utter_order_not_found",
    Refusal.CANCELLED: "utter_refused_already_cancelled",
    Refusal.NOT_DELIVERED: "utter_return_refused_not_delivered",
    Refusal.WINDOW_PASSED: "utter_return_refused_window_passed",
    Refusal.NOTHING_LEFT: "utter_return_refused_nothing_left",
    Refusal.UNKNOWN_ITEM: "utter_return_refused_unknown_item",
}
DISPATCHED = {
    "cancel": "utter_cancel_refused_dispatched",
    "address": "utter_address_refused_dispatched",
}
# The line under each suggested product's card: never sent as a message, only read from the
# domain Rasa sends with every action call and filled with the reason's ``{anchor}``.
REASONS = {
    ReasonKind.BOUGHT: "utter_reason_bought",
    ReasonKind.VIEWED: "utter_reason_viewed",
    ReasonKind.SIMILAR: "utter_reason_similar",
    ReasonKind.GOES_WITH: "utter_reason_goes_with",
    ReasonKind.FAVOURITE: "utter_reason_favourite",
    ReasonKind.SEGMENT: "utter_reason_segment",
    ReasonKind.POPULAR: "utter_reason_popular",
}


@dataclass(frozen=True)
class Reply:
    response: str
    values: dict[str, Any] = field(default_factory=dict)
    card: dict[str, Any] | None = None


def say(dispatcher: CollectingDispatcher, replies: Sequence[Reply]) -> None:
    for reply in replies:
        dispatcher.utter_message(response=reply.response, json_message=reply.card, **reply.values)


def order_status(order: OrderDetails, today: date) -> list[Reply]:
    """The status sentence with the order card, then where the parcel is (and if it is late)."""
    replies = [
        Reply(
            STATUS[order.status],
            {
                "order_number": order.number,
                "items": order_items(order),
                "placed_on": day(order.placed_at),
            },
            order_card(order),
        )
    ]
    shipment = order.latest_shipment
    if shipment is None:
        return replies
    if shipment.delivered_at is not None:
        delivered = {
            "carrier": shipment.carrier,
            "delivered_on": day(shipment.delivered_at),
            "tracking_number": shipment.tracking_number,
        }
        return [*replies, Reply("utter_order_delivered_on", delivered)]
    latest = shipment.events[-1] if shipment.events else None
    replies.append(
        Reply(
            "utter_order_tracking",
            {
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "last_update": latest.description if latest else shipment.status,
                "last_place": latest.location if latest else shipment.carrier,
                "last_when": day(latest.occurred_at if latest else shipment.shipped_at),
                "eta": day(shipment.eta),
            },
        )
    )
    if today > shipment.eta:
        replies.append(Reply("utter_order_late", {"eta": day(shipment.eta)}))
    return replies


def order_history(orders: Sequence[OrderDetails]) -> list[Reply]:
    """A heading, then one line per order (newest first) with its status card."""
    lines = [
        Reply(
            "utter_order_history_line",
            {
                "order_number": order.number,
                "placed_on": day(order.placed_at),
                "items": order_items(order),
                "total": money(order.total, order.currency),
                "status": order.status,
            },
            order_card(order),
        )
        for order in orders
    ]
    return [Reply("utter_order_history", {"count": len(orders)}), *lines]


def refund_status(overview: RefundOverview) -> list[Reply]:
    """Each return's progress, then each refund: issued (when) or still being processed."""
    number, currency = overview.order_number, overview.currency
    replies = [
        Reply(
            "utter_return_progress",
            {
                "order_number": number,
                "quantity": item.quantity,
                "product": item.product_name,
                "status": item.status,
                "since": day(item.created_at),
            },
        )
        for item in overview.returns
    ]
    for refund in overview.refunds:
        values = {"order_number": number, "amount": money(refund.amount, currency)}
        if refund.issued_at is not None:
            replies.append(
                Reply("utter_refund_issued", values | {"issued_on": day(refund.issued_at)})
            )
        else:
            replies.append(
                Reply("utter_refund_pending", values | {"since": day(refund.created_at)})
            )
    return replies or [Reply("utter_no_refunds", {"order_number": number})]


def refusal(task: str, refused: Refused, window_days: int) -> Reply:
    """Why ``task`` (``cancel``, ``address`` or ``return``) cannot be done for this order."""
    values: dict[str, Any] = {"order_number": refused.order_number}
    if refused.deadline is not None:
        values |= {"deadline": day(refused.deadline), "window": window_days}
    if refused.reason == Refusal.DISPATCHED:
        return Reply(DISPATCHED[task], values)
    return Reply(REFUSALS[refused.reason], values)


def reason_line(reason: Reason, domain: dict[str, Any]) -> str | None:
    """The reason in the words of the domain's response for its kind (``None`` without one)."""
    variants = (domain.get("responses") or {}).get(REASONS[reason.kind]) or [{}]
    text = variants[0].get("text")
    return str(text).replace("{anchor}", reason.anchor or "") if text else None


def suggestion_cards(
    suggestions: Sequence[Suggestion], currency: str, domain: dict[str, Any]
) -> dict[str, Any]:
    """The widget's product cards, each with the line that says why it was suggested."""
    cards = product_cards([suggestion.product for suggestion in suggestions], currency)
    for card, suggestion in zip(cards["products"], suggestions, strict=True):
        line = reason_line(suggestion.reason, domain)
        if line:
            card["reason"] = line
    return cards
