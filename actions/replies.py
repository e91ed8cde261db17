"""Which response says what: domain values turned into response names and their variables.

The sentences live in ``domain.yml``; this module only picks the response and fills its
``{placeholders}`` (and the widget card that goes with it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from insight.domain import OrderDetails
from insight.recommend.contracts import Reason, ReasonKind, Suggestion
from insight.support.formatting import day, listing, money, order_card, order_items, product_cards
from insight.support.orders import RefundOverview, Refusal, Refused
from insight.support.vouchers import Verdict, VoucherCheck

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
# Why a code does not apply; a valid one is described by ``voucher`` below.
VOUCHER_VERDICTS = {
    Verdict.UNKNOWN: "utter_voucher_unknown",
    Verdict.NOT_YOURS: "utter_voucher_not_yours",
    Verdict.NOT_YET_VALID: "utter_voucher_not_yet_valid",
    Verdict.EXPIRED: "utter_voucher_expired",
    Verdict.USED: "utter_voucher_used",
    Verdict.LIMIT_REACHED: "utter_voucher_limit_reached",
    Verdict.BELOW_MINIMUM: "utter_voucher_below_minimum",
    Verdict.EXCLUDED_CATEGORY: "utter_voucher_excluded",
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


def order_status(order: OrderDetails, today: date, invoice_url: str | None = None) -> list[Reply]:
    """The status sentence with the order card (linking its invoice when it has one), then
    where the parcel is (and if it is late)."""
    replies = [
        Reply(
            STATUS[order.status],
            {
                "order_number": order.number,
                "items": order_items(order),
                "placed_on": day(order.placed_at),
            },
            order_card(order, invoice_url),
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


def order_history(
    orders: Sequence[OrderDetails], invoice_url: Callable[[OrderDetails], str | None]
) -> list[Reply]:
    """A heading, then one line per order (newest first) with its status card and, for a paid
    order, the link to its invoice."""
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
            order_card(order, invoice_url(order)),
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


def voucher(check: VoucherCheck, currency: str) -> list[Reply]:
    """Why the code does not apply (with the date, minimum or category that decides it), or what
    it gives and on what conditions."""
    terms, values = check.terms, {"code": check.code}
    if terms is None or check.verdict != Verdict.VALID:
        if terms is not None:
            values |= {
                "valid_from": day(terms.valid_from) if terms.valid_from else "",
                "valid_until": day(terms.valid_until) if terms.valid_until else "",
                "category": check.category or "",
            }
            if terms.min_basket is not None and check.basket.total is not None:
                values |= {
                    "minimum": money(terms.min_basket, currency),
                    "total": money(check.basket.total, currency),
                    "missing": money(terms.min_basket - check.basket.total, currency),
                }
        return [Reply(VOUCHER_VERDICTS[check.verdict], values)]
    if terms.percent_off is None:
        amount = money(terms.amount_off or Decimal(0), currency)
        replies = [Reply("utter_voucher_valid_amount", values | {"amount": amount})]
    else:
        percent = f"{terms.percent_off.normalize():f}"
        if terms.max_discount is None:
            replies = [Reply("utter_voucher_valid_percent", values | {"percent": percent})]
        else:
            capped = {"percent": percent, "max_discount": money(terms.max_discount, currency)}
            replies = [Reply("utter_voucher_valid_percent_capped", values | capped)]
    if terms.min_basket is not None:
        replies.append(
            Reply("utter_voucher_needs_minimum", {"minimum": money(terms.min_basket, currency)})
        )
    if terms.excluded_categories:
        excluded = listing(list(terms.excluded_categories))
        replies.append(Reply("utter_voucher_excludes", {"categories": excluded}))
    if terms.valid_until is not None:
        replies.append(Reply("utter_voucher_valid_until", {"valid_until": day(terms.valid_until)}))
    return replies


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
