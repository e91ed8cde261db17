"""Orders, their lines and their timeline, from the skeleton and the taste model.

Timeline of an order that was not cancelled: payment clears minutes after placing (one to
three days for bank transfers), the parcel is packed 3–30 hours later and handed to the carrier
1–8 hours after that (same-day orders move within hours). The carrier promises a number of days
by shipping type (:data:`~insight.demo.vocab.SHIPPING`, three more abroad); 85% arrive on the
promised day, 11% one or two days late and 4% three to seven days late. The order's status is
the last step reached by :data:`~insight.demo.clock.DEMO_NOW`; cancelled orders stay cancelled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insight.db.models import OrderStatus
from insight.demo.clock import DAY, HOUR, MINUTE, durations
from insight.demo.ids import IdSequence
from insight.demo.taste import TasteModel
from insight.demo.vocab import INTERNATIONAL_CARRIER, SHIPPING

# The demo shop sells in euros, as knowledge/policies.yml says, so its orders and the catalogue
# the assistant quotes agree; the packaged list prices are taken as euro amounts.
CURRENCY = "EUR"
ABROAD_EXTRA_DAYS = 3
LATE_DAYS = (
    np.array([0, 1, 2, 3, 4, 5, 6, 7]),
    np.array([0.85, 0.07, 0.04, 0.01, 0.01, 0.008, 0.006, 0.006]),
)
CHEAP_PRICE = 60.0
QUANTITIES = (np.array([1, 2, 3]), np.array([0.88, 0.10, 0.02]))
CHEAP_QUANTITIES = (np.array([1, 2, 3, 4]), np.array([0.55, 0.25, 0.12, 0.08]))


def build_lines(
    orders: pd.DataFrame,
    probs: np.ndarray,
    *,
    customer_rows: np.ndarray,
    taste: TasteModel,
    products: pd.DataFrame,
    ids: IdSequence,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Order lines: one from the order's department, one per packaged add-on, duplicates merged.

    ``customer_rows`` gives each order's row in ``probs``. Columns: id, order_id, product_id,
    quantity, unit_price, plus ``position`` (0 for the department line) and ``cents``.
    """
    per_order = 1 + orders["extra_lines"].to_numpy()
    order_pos = np.repeat(np.arange(len(orders)), per_order)
    position = np.arange(len(order_pos)) - np.repeat(np.cumsum(per_order) - per_order, per_order)
    anchor = position == 0
    product = np.empty(len(order_pos), dtype=np.int64)
    product[anchor] = taste.sample(
        probs,
        customer_rows[order_pos[anchor]],
        rng,
        departments=taste.department_codes(orders["department"])[order_pos[anchor]],
    )
    product[~anchor] = taste.sample(probs, customer_rows[order_pos[~anchor]], rng)
    lines = pd.DataFrame({"order_pos": order_pos, "position": position, "product": product})
    lines = lines.drop_duplicates(["order_pos", "product"]).reset_index(drop=True)

    price = products["price"].to_numpy()[lines["product"].to_numpy()]
    usual = rng.choice(QUANTITIES[0], size=len(lines), p=QUANTITIES[1])
    cheap = rng.choice(CHEAP_QUANTITIES[0], size=len(lines), p=CHEAP_QUANTITIES[1])
    quantity = np.where(price < CHEAP_PRICE, cheap, usual)
    unit_cents = np.round(price * 100).astype(np.int64)
    return lines.assign(
        id=ids.take("order_lines", len(lines)),
        order_id=orders["id"].to_numpy()[lines["order_pos"].to_numpy()],
        product_id=products["id"].to_numpy()[lines["product"].to_numpy()],
        quantity=quantity,
        unit_price=unit_cents / 100,
        cents=unit_cents * quantity,
    )


def order_status(
    cancelled: np.ndarray,
    *,
    paid_at: np.ndarray,
    packed_at: np.ndarray,
    shipped_at: np.ndarray,
    delivered_at: np.ndarray,
    now: np.datetime64,
) -> np.ndarray:
    """The furthest step each order has reached by ``now`` (returns are marked later)."""
    return np.select(
        [cancelled, now < paid_at, now < packed_at, now < shipped_at, now < delivered_at],
        [
            OrderStatus.CANCELLED.value,
            OrderStatus.PLACED.value,
            OrderStatus.PAID.value,
            OrderStatus.PACKED.value,
            OrderStatus.SHIPPED.value,
        ],
        default=OrderStatus.DELIVERED.value,
    )


def add_timeline(
    orders: pd.DataFrame, rng: np.random.Generator, now: np.datetime64
) -> pd.DataFrame:
    """Adds paid_at, packed_at, shipped_at, eta, delivered_at, carrier, late_days and status.

    ``orders`` needs placed_at, payment_method, shipping_type, ship_country and cancelled.
    """
    count = len(orders)
    same_day = orders["shipping_type"].eq("Same Day").to_numpy()
    abroad = orders["ship_country"].ne("US").to_numpy()
    placed = orders["placed_at"].to_numpy().astype("datetime64[s]")
    pay = np.where(
        orders["payment_method"].eq("bank_transfer").to_numpy(),
        durations(18 * HOUR, 60 * HOUR, count, rng),
        durations(1 * MINUTE, 20 * MINUTE, count, rng),
    )
    pack = np.where(
        same_day,
        durations(30 * MINUTE, 3 * HOUR, count, rng),
        durations(3 * HOUR, 30 * HOUR, count, rng),
    )
    hand_over = np.where(
        same_day,
        durations(30 * MINUTE, 2 * HOUR, count, rng),
        durations(1 * HOUR, 8 * HOUR, count, rng),
    )
    paid = placed + pay
    packed = paid + pack
    shipped = packed + hand_over

    carrier_by_type = {kind: carrier for kind, (carrier, _) in SHIPPING.items()}
    promised_by_type = {kind: days for kind, (_, days) in SHIPPING.items()}
    promised = orders["shipping_type"].map(promised_by_type).to_numpy(dtype=np.int64)
    promised = np.where(abroad, np.maximum(promised, 2) + ABROAD_EXTRA_DAYS, promised)
    late = rng.choice(LATE_DAYS[0], size=count, p=LATE_DAYS[1])
    shipped_day = shipped.astype("datetime64[D]")
    eta = shipped_day + promised.astype("timedelta64[D]")
    arrival_day = (eta + late.astype("timedelta64[D]")).astype("datetime64[s]")
    delivered = np.where(
        promised == 0,
        shipped + durations(2 * HOUR, 6 * HOUR, count, rng) + late * DAY,
        arrival_day + durations(9 * HOUR, 20 * HOUR, count, rng),
    )
    status = order_status(
        orders["cancelled"].to_numpy(),
        paid_at=paid,
        packed_at=packed,
        shipped_at=shipped,
        delivered_at=delivered,
        now=now,
    )
    return orders.assign(
        paid_at=paid.astype("datetime64[us]"),
        packed_at=packed.astype("datetime64[us]"),
        shipped_at=shipped.astype("datetime64[us]"),
        eta=eta,
        delivered_at=delivered.astype("datetime64[us]"),
        carrier=np.where(
            abroad,
            INTERNATIONAL_CARRIER,
            orders["shipping_type"].map(carrier_by_type).to_numpy(dtype=object),
        ),
        late_days=late,
        status=status,
    )


def add_shipping_address(orders: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Orders ship to the customer's own address (``people`` indexed by customer id)."""
    who = people.loc[orders["customer_id"].to_numpy()]
    return orders.assign(
        currency=CURRENCY,
        ship_name=who["name"].to_numpy(),
        ship_street=who["street"].to_numpy(),
        ship_city=who["city"].to_numpy(),
        ship_postcode=who["postcode"].to_numpy(),
        ship_country=who["country"].to_numpy(),
    )


def add_totals(orders: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    cents = np.bincount(
        lines["order_pos"].to_numpy(), weights=lines["cents"].to_numpy(), minlength=len(orders)
    )
    return orders.assign(
        total=np.round(cents).astype(np.int64) / 100,
        number=[f"SS-{100_000 + i}" for i in orders["id"]],
    )
