"""Browsing events replayed from ``retentioneering``'s e-commerce clickstream sessions.

The 3,605 packaged sessions are templates: their event types (home, catalog, search,
product_view, add_to_cart, cart, shipping_details, payment_details, purchase, …) and the
seconds between events are kept. Half of the shop's orders (the rest were placed with tracking
declined) get a checkout session: a packaged session that ended in a purchase, cut at the
purchase, timed so that the purchase event is the moment the order was placed. Each customer
also gets a Poisson(0.4) number of browse-only sessions (packaged sessions without a purchase),
each ending between an hour and 30 days before one of their orders, and after sign-up.

Product-level events (:data:`PRODUCT_EVENTS`) name a product; the others do not. In checkout
sessions the k-th add_to_cart is the order's k-th line (cycling) and other product events show
the order's department line half of the time; every other product event is drawn from the
customer's taste, P(p | u) of :mod:`insight.demo.taste`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from insight.demo.clock import DAY, HOUR, MINUTE, durations
from insight.demo.ids import IdSequence
from insight.demo.taste import TasteModel

PRODUCT_EVENTS = ("product_view", "add_to_cart", "wishlist_add", "compare", "review_page")
TRACKED_ORDER_SHARE = 0.5
BROWSE_SESSIONS_PER_CUSTOMER = 0.4
CHECKOUT_SHOWS_ORDERED_PRODUCT = 0.5


@dataclass(frozen=True)
class Templates:
    """Packaged sessions laid end to end: event types and seconds before the session's end."""

    events: np.ndarray  # object array of event types
    seconds_before_end: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray


@dataclass(frozen=True)
class SessionTemplates:
    checkout: Templates
    browse: Templates

    @classmethod
    def from_clickstream(cls, clickstream: pd.DataFrame) -> SessionTemplates:
        """``clickstream`` is :func:`insight.datasets.load_clickstream`."""
        frame = clickstream[["session_id", "event", "timestamp"]].copy()
        purchase = frame["event"].eq("purchase")
        purchases_so_far = purchase.groupby(frame["session_id"]).cumsum()
        after_purchase = (purchases_so_far - purchase.astype(int)) > 0
        has_purchase = purchase.groupby(frame["session_id"]).transform("any")
        return cls(
            checkout=_templates(frame[has_purchase & ~after_purchase]),
            browse=_templates(frame[~has_purchase]),
        )


def _templates(frame: pd.DataFrame) -> Templates:
    end = frame.groupby("session_id", sort=True)["timestamp"].transform("max")
    lengths = frame.groupby("session_id", sort=True).size().to_numpy()
    return Templates(
        events=frame["event"].to_numpy(dtype=object),
        seconds_before_end=((end - frame["timestamp"]).dt.total_seconds()).to_numpy(np.int64),
        starts=np.concatenate([[0], np.cumsum(lengths)[:-1]]),
        lengths=lengths,
    )


def _expand(templates: Templates, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For sessions playing ``chosen`` templates: each event's session index and template row."""
    lengths = templates.lengths[chosen]
    session = np.repeat(np.arange(len(chosen)), lengths)
    within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return session, templates.starts[chosen][session] + within


def _checkout_sessions(
    orders: pd.DataFrame, lines: pd.DataFrame, templates: Templates, rng: np.random.Generator
) -> pd.DataFrame:
    tracked = np.flatnonzero(rng.random(len(orders)) < TRACKED_ORDER_SHARE)
    chosen = rng.integers(0, len(templates.lengths), len(tracked))
    session, row = _expand(templates, chosen)
    order_pos = tracked[session]
    events = pd.DataFrame(
        {
            "session": session,
            "order_pos": order_pos,
            "event_type": templates.events[row],
            "occurred_at": orders["placed_at"].to_numpy()[order_pos]
            - templates.seconds_before_end[row].astype("timedelta64[s]"),
        }
    )
    line_counts = np.bincount(lines["order_pos"].to_numpy(), minlength=len(orders))
    first_line = np.concatenate([[0], np.cumsum(line_counts)[:-1]])
    line_products = lines["product"].to_numpy()
    adds = events["event_type"].eq("add_to_cart").to_numpy()
    nth_add = events[adds].groupby("session").cumcount().to_numpy()
    product = np.full(len(events), -1, dtype=np.int64)
    product[adds] = line_products[
        first_line[order_pos[adds]] + nth_add % line_counts[order_pos[adds]]
    ]
    shows_order = (
        events["event_type"].isin(PRODUCT_EVENTS).to_numpy()
        & ~adds
        & (rng.random(len(events)) < CHECKOUT_SHOWS_ORDERED_PRODUCT)
    )
    product[shows_order] = line_products[first_line[order_pos[shows_order]]]
    return events.assign(product=product)


def _browse_sessions(
    orders: pd.DataFrame, people: pd.DataFrame, templates: Templates, rng: np.random.Generator
) -> pd.DataFrame:
    per_customer = rng.poisson(BROWSE_SESSIONS_PER_CUSTOMER, len(people))
    owner = np.repeat(np.arange(len(people)), per_customer)
    order_counts = np.bincount(orders["customer_row"].to_numpy(), minlength=len(people))
    first_order = np.concatenate([[0], np.cumsum(order_counts)[:-1]])
    anchor = first_order[owner] + (rng.random(len(owner)) * order_counts[owner]).astype(np.int64)
    chosen = rng.integers(0, len(templates.lengths), len(owner))
    duration = templates.seconds_before_end[templates.starts[chosen]].astype("timedelta64[s]")
    end = orders["placed_at"].to_numpy()[anchor] - durations(1 * HOUR, 30 * DAY, len(owner), rng)
    earliest = people["created_at"].to_numpy()[owner] + duration + 1 * MINUTE
    end = np.maximum(end, earliest)
    session, row = _expand(templates, chosen)
    return pd.DataFrame(
        {
            "session": session,
            "order_pos": anchor[session],
            "event_type": templates.events[row],
            "occurred_at": end[session]
            - templates.seconds_before_end[row].astype("timedelta64[s]"),
            "product": -1,
        }
    )


def build_browsing(
    orders: pd.DataFrame,
    lines: pd.DataFrame,
    people: pd.DataFrame,
    *,
    sessions: SessionTemplates,
    probs: np.ndarray,
    taste: TasteModel,
    products: pd.DataFrame,
    ids: IdSequence,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Browsing events of a batch of customers.

    ``orders`` are sorted by customer and carry ``customer_row`` (row in ``people`` and
    ``probs``); ``lines`` are sorted by order and carry ``order_pos`` and ``product``.
    """
    checkout = _checkout_sessions(orders, lines, sessions.checkout, rng)
    browse = _browse_sessions(orders, people, sessions.browse, rng)
    browse["session"] += int(checkout["session"].max()) + 1 if len(checkout) else 0
    events = pd.concat([checkout, browse], ignore_index=True)
    customer_row = orders["customer_row"].to_numpy()[events["order_pos"].to_numpy()]
    product = events["product"].to_numpy(copy=True)
    from_taste = events["event_type"].isin(PRODUCT_EVENTS).to_numpy() & (product < 0)
    product[from_taste] = taste.sample(probs, customer_row[from_taste], rng)
    session_count = int(events["session"].max()) + 1 if len(events) else 0
    session_names = np.array(
        [f"ws-{n:09d}" for n in ids.take("sessions", session_count)], dtype=object
    )
    product_ids = products["id"].to_numpy()[np.maximum(product, 0)]
    frame = pd.DataFrame(
        {
            "customer_id": people["id"].to_numpy()[customer_row],
            "session_id": session_names[events["session"].to_numpy()],
            "event_type": events["event_type"].to_numpy(),
            "product_id": pd.Series(product_ids, dtype="Int64").mask(product < 0),
            "occurred_at": events["occurred_at"].to_numpy().astype("datetime64[us]"),
        }
    ).sort_values(["customer_id", "occurred_at", "session_id"], kind="stable")
    frame.insert(0, "id", ids.take("browsing_events", len(frame)))
    return frame.reset_index(drop=True)
