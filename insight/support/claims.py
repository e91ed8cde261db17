"""Delivery problems: a parcel marked delivered that never came, a damaged parcel, a wrong address
on a dispatched order.

Each report is one transaction, scoped to the verified customer and re-checked inside it: the order
must be theirs, and the carrier's events must support the claim (a parcel still on its way is not
lost; a "delivered" from this morning is worth a look at the neighbours first). The carrier facts
go into the claim, so the person who decides sees what the shopper was told.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Order,
    OrderStatus,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
)
from insight.support.policies import ClaimPolicy

LAST_EVENTS = 3
NOT_DISPATCHED = {OrderStatus.PLACED, OrderStatus.PAID, OrderStatus.PACKED}


class ClaimVerdict(enum.StrEnum):
    OPENED = "opened"  # a new claim
    EXISTING = "existing"  # the same problem was already reported: that claim
    NOT_FOUND = "not_found"  # no such order for this customer
    NOT_DISPATCHED = "not_dispatched"  # nothing shipped yet: the address can still be changed
    IN_TRANSIT = "in_transit"  # not delivered yet: where it is and when it is expected
    TOO_EARLY = "too_early"  # delivered less than the wait days ago: check neighbours, wait
    NOT_DELIVERED = "not_delivered"  # damage reported for a parcel the carrier has not delivered
    OUTSIDE_WINDOW = "outside_window"  # damage reported too long after delivery


@dataclass(frozen=True)
class CarrierFacts:
    carrier: str
    tracking_number: str
    status: str
    eta: date | None
    delivered_at: datetime | None
    last_events: tuple[str, ...]  # newest first: "2026-11-19 14:02 Oslo: Delivered"

    def summary(self) -> str:
        lines = [f"{self.carrier} {self.tracking_number}, status {self.status}"]
        if self.delivered_at is not None:
            lines.append(f"delivered {self.delivered_at:%Y-%m-%d %H:%M}")
        elif self.eta is not None:
            lines.append(f"expected {self.eta:%Y-%m-%d}")
        return "; ".join(lines + list(self.last_events))


@dataclass(frozen=True)
class ClaimOutcome:
    verdict: ClaimVerdict
    order_number: str
    kind: ClaimKind
    claim_id: int | None = None
    to_person: bool = False
    facts: CarrierFacts | None = None
    location: str | None = None  # last carrier location, for a parcel still on its way
    wait_until: date | None = None  # for TOO_EARLY

    @property
    def handoff_summary(self) -> str:
        """What an agent sees on the desk about this claim."""
        facts = self.facts.summary() if self.facts is not None else "no carrier events"
        return f"Claim #{self.claim_id} {self.kind.value} on {self.order_number}: {facts}"


def _facts(shipment: Shipment) -> CarrierFacts:
    events: list[ShipmentEvent] = sorted(shipment.events, key=lambda e: e.occurred_at, reverse=True)
    return CarrierFacts(
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        status=str(shipment.status.value),
        eta=shipment.eta,
        delivered_at=shipment.delivered_at,
        last_events=tuple(
            f"{e.occurred_at:%Y-%m-%d %H:%M} {e.location}: {e.description}"
            for e in events[:LAST_EVENTS]
        ),
    )


def _last_status(shipment: Shipment) -> ShipmentStatus:
    events = sorted(shipment.events, key=lambda e: e.occurred_at)
    return events[-1].status if events else shipment.status


class ClaimDesk:
    """Opens delivery-problem claims for a verified customer's own orders."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        policy: ClaimPolicy,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self._sessions = sessions
        self._policy = policy
        self._clock = clock

    def report(
        self, customer_id: int, order_number: str, kind: ClaimKind, description: str = ""
    ) -> ClaimOutcome:
        now = self._clock()
        with self._sessions.begin() as session:
            order = session.scalars(
                select(Order)
                .where(Order.number == order_number, Order.customer_id == customer_id)
                .with_for_update()
            ).first()
            if order is None:
                return ClaimOutcome(ClaimVerdict.NOT_FOUND, order_number, kind)
            shipment = order.shipments[-1] if order.shipments else None
            if shipment is None or order.status in NOT_DISPATCHED:
                return ClaimOutcome(ClaimVerdict.NOT_DISPATCHED, order.number, kind)
            facts = _facts(shipment)
            refusal = self._refusal(order.number, kind, shipment, facts, now)
            if refusal is not None:
                return refusal
            existing = session.scalars(
                select(Claim).where(
                    Claim.order_id == order.id,
                    Claim.kind == kind,
                    Claim.status != ClaimStatus.RESOLVED,
                )
            ).first()
            if existing is not None:
                return ClaimOutcome(
                    ClaimVerdict.EXISTING,
                    order.number,
                    kind,
                    claim_id=existing.id,
                    to_person=existing.status == ClaimStatus.ESCALATED,
                    facts=facts,
                )
            to_person = (
                kind.value in self._policy.always_to_person
                or order.total > self._policy.person_above_value
            )
            claim = Claim(
                order_id=order.id,
                kind=kind,
                description=description.strip()[:2000],
                carrier_facts=facts.summary(),
                status=ClaimStatus.ESCALATED if to_person else ClaimStatus.OPEN,
                created_at=now,
            )
            session.add(claim)
            session.flush()
            return ClaimOutcome(
                ClaimVerdict.OPENED,
                order.number,
                kind,
                claim_id=claim.id,
                to_person=to_person,
                facts=facts,
            )

    def _refusal(
        self,
        number: str,
        kind: ClaimKind,
        shipment: Shipment,
        facts: CarrierFacts,
        now: datetime,
    ) -> ClaimOutcome | None:
        if kind == ClaimKind.WRONG_ADDRESS:
            return None
        delivered = _last_status(shipment) == ShipmentStatus.DELIVERED
        if not delivered or shipment.delivered_at is None:
            events = sorted(shipment.events, key=lambda e: e.occurred_at)
            verdict = (
                ClaimVerdict.IN_TRANSIT
                if kind == ClaimKind.NOT_RECEIVED
                else ClaimVerdict.NOT_DELIVERED
            )
            location = events[-1].location if events else None
            return ClaimOutcome(verdict, number, kind, facts=facts, location=location)
        age = now - shipment.delivered_at
        if kind == ClaimKind.NOT_RECEIVED:
            wait = timedelta(days=self._policy.not_received_wait_days)
            if age < wait:
                until = (shipment.delivered_at + wait).date()
                return ClaimOutcome(
                    ClaimVerdict.TOO_EARLY, number, kind, facts=facts, wait_until=until
                )
        elif age > timedelta(days=self._policy.damage_report_days):
            return ClaimOutcome(ClaimVerdict.OUTSIDE_WINDOW, number, kind, facts=facts)
        return None
