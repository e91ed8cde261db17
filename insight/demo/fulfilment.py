"""Shipments with their carrier history, and returns with their refunds.

Every order that left the warehouse by :data:`~insight.demo.clock.DEMO_NOW` has one shipment
whose tracking number embeds the order id (so it is unique). Its history is the carrier's
scans that happened by then: label created, picked up, a hub scan on journeys of two days or
more, "delayed" on the evening of a missed ETA, out for delivery, delivered. The shipment's
status is its latest scan.

Delivered orders are returned with a chance that falls with the packaged rating (20% at one
star, 2% at five). The return is requested 1–30 days after delivery; it covers the department
line and each other line with chance 0.3, in full. The parcel reaches the warehouse 3–8 days
later; 5% of returns are rejected there, the rest are refunded (line price × quantity, to the
original payment or as store credit) one to three days after arrival. Statuses are again those
reached by DEMO_NOW, and an order with a return is "returned".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from insight.db.models import OrderStatus, RefundStatus, ReturnStatus, ShipmentStatus
from insight.demo.clock import DAY, HOUR, MINUTE, durations
from insight.demo.ids import IdSequence
from insight.demo.vocab import (
    INTERNATIONAL_HUBS,
    RETURN_REASONS_OTHER,
    RETURN_REASONS_UNHAPPY,
    US_HUBS,
    WAREHOUSE,
)

RETURN_CHANCE_BY_RATING = np.array([0.0, 0.20, 0.10, 0.05, 0.03, 0.02])
RETURN_WINDOW_DAYS = 30
OTHER_LINE_RETURN_CHANCE = 0.3
REJECTED_SHARE = 0.05
STORE_CREDIT_SHARE = 0.15
DELAYED_SCAN = "Delayed in the carrier network; new delivery date to follow"
SHIPPED_STATUSES = (
    OrderStatus.SHIPPED.value,
    OrderStatus.DELIVERED.value,
    OrderStatus.RETURNED.value,
)


@dataclass(frozen=True)
class Returns:
    returns: pd.DataFrame
    refunds: pd.DataFrame


def _tracking_numbers(
    carrier: np.ndarray, order_id: np.ndarray, rng: np.random.Generator
) -> list[str]:
    noise = rng.integers(0, 100_000_000, len(order_id))
    formats = {
        "USPS": "9400{o:010d}{n:08d}",
        "UPS": "1Z5SS03{o:09d}{n2:02d}",
        "FedEx": "7{o:09d}{n2:02d}",
        "DHL": "{o:09d}{n1:d}",
        "Roadie": "RD{o:09d}",
    }
    return [
        formats[c].format(o=o, n=n, n2=n % 100, n1=n % 10)
        for c, o, n in zip(carrier, order_id, noise, strict=True)
    ]


def add_returns(
    orders: pd.DataFrame,
    lines: pd.DataFrame,
    ids: IdSequence,
    rng: np.random.Generator,
    now: np.datetime64,
) -> tuple[pd.DataFrame, Returns]:
    """Decide which delivered orders came back; returns the orders with updated statuses."""
    delivered = orders["status"].eq(OrderStatus.DELIVERED.value).to_numpy()
    chance = RETURN_CHANCE_BY_RATING[orders["rating"].to_numpy()]
    requested = orders["delivered_at"].to_numpy() + durations(
        1 * DAY, RETURN_WINDOW_DAYS * DAY, len(orders), rng
    )
    returning = delivered & (rng.random(len(orders)) < chance) & (requested <= now)

    line_order = lines["order_pos"].to_numpy()
    picked = returning[line_order] & (
        (lines["position"].to_numpy() == 0) | (rng.random(len(lines)) < OTHER_LINE_RETURN_CHANCE)
    )
    back = lines[picked]
    count = len(back)
    order_pos = back["order_pos"].to_numpy()
    created = requested[order_pos]
    received = created + durations(3 * DAY, 8 * DAY, count, rng)
    issued = received + durations(1 * DAY, 3 * DAY, count, rng)
    rejected = rng.random(count) < REJECTED_SHARE
    unhappy = orders["rating"].to_numpy()[order_pos] <= 2
    reasons = np.where(
        unhappy,
        np.asarray(RETURN_REASONS_UNHAPPY, dtype=object)[
            rng.integers(0, len(RETURN_REASONS_UNHAPPY), count)
        ],
        np.asarray(RETURN_REASONS_OTHER, dtype=object)[
            rng.integers(0, len(RETURN_REASONS_OTHER), count)
        ],
    )
    method = np.where(rng.random(count) < STORE_CREDIT_SHARE, "store_credit", "original_payment")
    status = np.select(
        [now < received, rejected, now < issued],
        [ReturnStatus.REQUESTED.value, ReturnStatus.REJECTED.value, ReturnStatus.RECEIVED.value],
        default=ReturnStatus.REFUNDED.value,
    )
    returns = pd.DataFrame(
        {
            "id": ids.take("returns", count),
            "order_id": back["order_id"].to_numpy(),
            "order_line_id": back["id"].to_numpy(),
            "quantity": back["quantity"].to_numpy(),
            "reason": reasons,
            "refund_method": method,
            "status": status,
            "created_at": created.astype("datetime64[us]"),
        }
    )
    owed = np.isin(status, [ReturnStatus.RECEIVED.value, ReturnStatus.REFUNDED.value])
    paid_out = status[owed] == ReturnStatus.REFUNDED.value
    refunds = pd.DataFrame(
        {
            "id": ids.take("refunds", int(owed.sum())),
            "order_id": returns["order_id"].to_numpy()[owed],
            "return_id": returns["id"].to_numpy()[owed],
            "amount": back["cents"].to_numpy()[owed] / 100,
            "method": method[owed],
            "status": np.where(paid_out, RefundStatus.ISSUED.value, RefundStatus.PENDING.value),
            "created_at": received[owed].astype("datetime64[us]"),
            "issued_at": np.where(paid_out, issued[owed], np.datetime64("NaT")).astype(
                "datetime64[us]"
            ),
        }
    )
    status_after = np.where(returning, OrderStatus.RETURNED.value, orders["status"].to_numpy())
    return orders.assign(status=status_after), Returns(returns=returns, refunds=refunds)


def _scans(
    shipped: pd.DataFrame, shipment_ids: np.ndarray, rng: np.random.Generator, now: np.datetime64
) -> pd.DataFrame:
    """The carrier's scans of each shipment that happened by ``now``, in time order."""
    count = len(shipped)
    carrier = shipped["carrier"].to_numpy()
    destination = (shipped["ship_city"] + ", " + shipped["ship_country"]).to_numpy()
    shipped_at = shipped["shipped_at"].to_numpy().astype("datetime64[s]")
    delivered_at = shipped["delivered_at"].to_numpy().astype("datetime64[s]")
    eta = shipped["eta"].to_numpy().astype("datetime64[s]")
    international = shipped["ship_country"].ne("US").to_numpy()
    hubs = np.where(
        international,
        np.asarray(INTERNATIONAL_HUBS, dtype=object)[
            rng.integers(0, len(INTERNATIONAL_HUBS), count)
        ],
        np.asarray(US_HUBS, dtype=object)[rng.integers(0, len(US_HUBS), count)],
    )
    labelled = shipped["packed_at"].to_numpy() + durations(5 * MINUTE, 25 * MINUTE, count, rng)
    at_hub = shipped_at + (delivered_at - shipped_at) * 2 // 5
    delayed = np.maximum(eta + 18 * HOUR, shipped_at + 1 * HOUR)
    out_for_delivery = np.maximum(
        delivered_at - durations(1 * HOUR, 4 * HOUR, count, rng), shipped_at + 30 * MINUTE
    )
    # (when, status, where, what the carrier says, which shipments have this scan)
    kinds = [
        (labelled, ShipmentStatus.LABEL_CREATED, WAREHOUSE,
         "Shipping label created, " + carrier + " awaiting item", True),
        (shipped_at, ShipmentStatus.IN_TRANSIT, WAREHOUSE, "Picked up by " + carrier, True),
        (at_hub, ShipmentStatus.IN_TRANSIT, hubs, "Arrived at " + carrier + " facility",
         delivered_at - shipped_at >= 2 * DAY),
        (delayed, ShipmentStatus.DELAYED, hubs, DELAYED_SCAN, shipped["late_days"].to_numpy() > 0),
        (out_for_delivery, ShipmentStatus.OUT_FOR_DELIVERY, destination, "Out for delivery", True),
        (delivered_at, ShipmentStatus.DELIVERED, destination, "Delivered", True),
    ]  # fmt: skip
    frames = [
        pd.DataFrame(
            {
                "shipment_id": shipment_ids,
                "occurred_at": at.astype("datetime64[us]"),
                "status": kind.value,
                "location": where,
                "description": text,
            }
        )[applies & (at <= now)]
        for at, kind, where, text, applies in kinds
    ]
    scans: pd.DataFrame = pd.concat(frames, ignore_index=True)
    return scans.sort_values(["shipment_id", "occurred_at"], kind="stable").reset_index(drop=True)


def build_shipments(
    orders: pd.DataFrame, ids: IdSequence, rng: np.random.Generator, now: np.datetime64
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shipments and shipment events of the orders that have left the warehouse."""
    shipped = orders[orders["status"].isin(SHIPPED_STATUSES)].reset_index(drop=True)
    shipment_ids = ids.take("shipments", len(shipped))
    events = _scans(shipped, shipment_ids, rng, now)
    events.insert(0, "id", ids.take("shipment_events", len(events)))
    latest = events.groupby("shipment_id", sort=True)["status"].last()
    delivered_at = shipped["delivered_at"].to_numpy()
    shipments = pd.DataFrame(
        {
            "id": shipment_ids,
            "order_id": shipped["id"].to_numpy(),
            "carrier": shipped["carrier"].to_numpy(),
            "tracking_number": _tracking_numbers(
                shipped["carrier"].to_numpy(), shipped["id"].to_numpy(), rng
            ),
            "status": latest.reindex(shipment_ids).to_numpy(),
            "shipped_at": shipped["shipped_at"].to_numpy(),
            "eta": shipped["eta"].to_numpy(),
            "delivered_at": np.where(
                delivered_at <= now, delivered_at, np.datetime64("NaT")
            ).astype("datetime64[us]"),
        }
    )
    return shipments, events
