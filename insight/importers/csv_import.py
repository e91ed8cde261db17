"""Importing a shop's own data from CSV: customers, products, orders and reviews.

Every row is checked before anything is written; a file with any bad row imports nothing and
each bad row is reported with its line number (the header is line 1). Customers and products
are upserted by their key (``external_ref``, ``sku``) so a shop can re-import its catalogue to
update prices and stock; orders are new only; a review replaces the customer's earlier review
of the same product. Orders have one CSV row per order line, grouped by ``order_number``.
The result names the customers whose orders or reviews were written, whose profiles are then
stale (``insight.profiles.refresh.refresh_after_import`` brings them up to date).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import Customer, Order, OrderLine, OrderStatus, Product, Review
from insight.repositories.orders import normalise_order_number


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True)
class ImportResult:
    """``customer_ids``: whose orders or reviews the import wrote (their profiles are stale)."""

    imported: int
    errors: tuple[RowError, ...]
    customer_ids: frozenset[int] = frozenset()


class RowInvalid(ValueError):
    pass


@dataclass(frozen=True)
class _Row:
    line: int
    values: dict[str, Any]


# ---- field parsers: each raises RowInvalid with a message a shop owner understands ----------


def _text(row: dict[str, str], column: str, max_length: int, required: bool = True) -> str | None:
    value = (row.get(column) or "").strip()
    if not value:
        if required:
            raise RowInvalid(f"{column} is empty")
        return None
    if len(value) > max_length:
        raise RowInvalid(f"{column} is longer than {max_length} characters")
    return value


def _required(row: dict[str, str], column: str, max_length: int) -> str:
    value = _text(row, column, max_length)
    assert value is not None
    return value


def _int(
    row: dict[str, str], column: str, low: int, high: int, required: bool = True
) -> int | None:
    raw = _text(row, column, 20, required)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise RowInvalid(f"{column} {raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise RowInvalid(f"{column} {value} is outside {low}…{high}")
    return value


def _money(row: dict[str, str], column: str) -> Decimal:
    raw = _required(row, column, 20)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise RowInvalid(f"{column} {raw!r} is not a number") from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e10"):
        raise RowInvalid(f"{column} {raw!r} is not a valid amount")
    return value.quantize(Decimal("0.01"))


def _timestamp(row: dict[str, str], column: str, required: bool = True) -> datetime | None:
    raw = _text(row, column, 40, required)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise RowInvalid(f"{column} {raw!r} is not an ISO date (YYYY-MM-DD[THH:MM])") from None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _country(row: dict[str, str], column: str) -> str:
    value = _required(row, column, 2).upper()
    if len(value) != 2 or not value.isalpha():
        raise RowInvalid(f"{column} {value!r} is not a two-letter country code")
    return value


def _email(row: dict[str, str], column: str) -> str:
    value = _required(row, column, 254).lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or " " in value:
        raise RowInvalid(f"{column} {value!r} is not an email address")
    return value


# ---- importers -------------------------------------------------------------------------------


def _parse_customer(row: dict[str, str]) -> dict[str, Any]:
    return {
        "external_ref": _required(row, "external_ref", 64),
        "email": _email(row, "email"),
        "name": _required(row, "name", 200),
        "country": _country(row, "country"),
        "city": _text(row, "city", 120, required=False),
        "age": _int(row, "age", 13, 120, required=False),
        "gender": _text(row, "gender", 16, required=False),
        "created_at": _timestamp(row, "created_at", required=False),
    }


def _write_customers(session: Session, rows: list[_Row]) -> list[RowError]:
    errors = _duplicates(rows, "external_ref") + _duplicates(rows, "email")
    existing = {
        c.external_ref: c
        for c in session.scalars(
            select(Customer).where(
                Customer.external_ref.in_([r.values["external_ref"] for r in rows])
            )
        )
    }
    emails = [r.values["email"] for r in rows]
    owners = {
        email: ref
        for email, ref in session.execute(
            select(Customer.email, Customer.external_ref).where(Customer.email.in_(emails))
        )
    }
    for row in rows:
        ref, email = row.values["external_ref"], row.values["email"]
        if owners.get(email, ref) != ref:
            errors.append(
                RowError(row.line, f"email {email} already belongs to customer {owners[email]}")
            )
    if errors:
        return errors
    now = datetime.now(UTC).replace(tzinfo=None)
    for row in rows:
        values = {**row.values, "created_at": row.values["created_at"] or now}
        customer = existing.get(values["external_ref"])
        if customer is None:
            session.add(Customer(**values))
        else:
            for key, value in values.items():
                setattr(customer, key, value)
    return []


def _parse_product(row: dict[str, str]) -> dict[str, Any]:
    return {
        "sku": _required(row, "sku", 64),
        "name": _required(row, "name", 300),
        "category": _required(row, "category", 80),
        "brand": _required(row, "brand", 80),
        "price": _money(row, "price"),
        "stock": _int(row, "stock", 0, 10_000_000),
        "description": _text(row, "description", 10_000, required=False) or "",
    }


def _write_products(session: Session, rows: list[_Row]) -> list[RowError]:
    errors = _duplicates(rows, "sku")
    if errors:
        return errors
    existing = {
        p.sku: p
        for p in session.scalars(
            select(Product).where(Product.sku.in_([r.values["sku"] for r in rows]))
        )
    }
    now = datetime.now(UTC).replace(tzinfo=None)
    for row in rows:
        product = existing.get(row.values["sku"])
        if product is None:
            session.add(Product(**row.values, created_at=now))
        else:
            for key, value in row.values.items():
                setattr(product, key, value)
    return []


_ORDER_FIELDS = (
    "customer_ref",
    "placed_at",
    "status",
    "currency",
    "payment_method",
    "ship_name",
    "ship_street",
    "ship_city",
    "ship_postcode",
    "ship_country",
)


def _parse_order_line(row: dict[str, str]) -> dict[str, Any]:
    status = _required(row, "status", 24).lower()
    if status not in {s.value for s in OrderStatus}:
        raise RowInvalid(
            f"status {status!r} is not one of {', '.join(s.value for s in OrderStatus)}"
        )
    currency = _required(row, "currency", 3).upper()
    if len(currency) != 3 or not currency.isalpha():
        raise RowInvalid(f"currency {currency!r} is not a three-letter code")
    return {
        "order_number": normalise_order_number(_required(row, "order_number", 32)),
        "customer_ref": _required(row, "customer_ref", 64),
        "placed_at": _timestamp(row, "placed_at"),
        "status": OrderStatus(status),
        "currency": currency,
        "payment_method": _required(row, "payment_method", 32),
        "ship_name": _required(row, "ship_name", 200),
        "ship_street": _required(row, "ship_street", 300),
        "ship_city": _required(row, "ship_city", 120),
        "ship_postcode": _required(row, "ship_postcode", 16),
        "ship_country": _country(row, "ship_country"),
        "sku": _required(row, "sku", 64),
        "quantity": _int(row, "quantity", 1, 10_000),
        "unit_price": _money(row, "unit_price"),
    }


def _write_orders(session: Session, rows: list[_Row]) -> list[RowError]:
    customers = _ids_by(
        session, Customer.external_ref, Customer.id, {r.values["customer_ref"] for r in rows}
    )
    products = _ids_by(session, Product.sku, Product.id, {r.values["sku"] for r in rows})
    taken = set(
        session.scalars(
            select(Order.number).where(Order.number.in_({r.values["order_number"] for r in rows}))
        )
    )
    errors: list[RowError] = []
    orders: dict[str, list[_Row]] = {}
    for row in rows:
        v = row.values
        if v["customer_ref"] not in customers:
            errors.append(
                RowError(row.line, f"customer_ref {v['customer_ref']!r} is not a known customer")
            )
        if v["sku"] not in products:
            errors.append(RowError(row.line, f"sku {v['sku']!r} is not a known product"))
        if v["order_number"] in taken:
            errors.append(RowError(row.line, f"order {v['order_number']} already exists"))
        group = orders.setdefault(v["order_number"], [])
        if group and any(group[0].values[f] != v[f] for f in _ORDER_FIELDS):
            errors.append(
                RowError(
                    row.line,
                    f"order {v['order_number']} has other order details than line {group[0].line}",
                )
            )
        group.append(row)
    if errors:
        return errors
    for number, group in orders.items():
        first = group[0].values
        order = Order(
            number=number,
            customer_id=customers[first["customer_ref"]],
            total=sum(
                (r.values["unit_price"] * r.values["quantity"] for r in group), Decimal("0.00")
            ),
            **{f: first[f] for f in _ORDER_FIELDS if f != "customer_ref"},
        )
        order.lines = [
            OrderLine(
                product_id=products[r.values["sku"]],
                quantity=r.values["quantity"],
                unit_price=r.values["unit_price"],
            )
            for r in group
        ]
        session.add(order)
    return []


def _parse_review(row: dict[str, str]) -> dict[str, Any]:
    return {
        "customer_ref": _required(row, "customer_ref", 64),
        "sku": _required(row, "sku", 64),
        "rating": _int(row, "rating", 1, 5),
        "text": _required(row, "text", 10_000),
        "created_at": _timestamp(row, "created_at"),
    }


def _write_reviews(session: Session, rows: list[_Row]) -> list[RowError]:
    customers = _ids_by(
        session, Customer.external_ref, Customer.id, {r.values["customer_ref"] for r in rows}
    )
    products = _ids_by(session, Product.sku, Product.id, {r.values["sku"] for r in rows})
    errors = [
        RowError(row.line, message)
        for row in rows
        for message in (
            f"customer_ref {row.values['customer_ref']!r} is not a known customer"
            if row.values["customer_ref"] not in customers
            else None,
            f"sku {row.values['sku']!r} is not a known product"
            if row.values["sku"] not in products
            else None,
        )
        if message
    ]
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.values["customer_ref"], row.values["sku"])
        if key in seen:
            errors.append(
                RowError(
                    row.line, f"a second review of {key[1]} by {key[0]} (first on line {seen[key]})"
                )
            )
        seen.setdefault(key, row.line)
    if errors:
        return errors
    for row in rows:
        v = row.values
        customer_id, product_id = customers[v["customer_ref"]], products[v["sku"]]
        review = session.scalar(
            select(Review).where(Review.customer_id == customer_id, Review.product_id == product_id)
        ) or Review(customer_id=customer_id, product_id=product_id)
        review.rating, review.text, review.created_at = v["rating"], v["text"], v["created_at"]
        session.add(review)
    return []


# ---- shared machinery ------------------------------------------------------------------------


@dataclass(frozen=True)
class Importer:
    columns: tuple[str, ...]
    parse: Callable[[dict[str, str]], dict[str, Any]]
    write: Callable[[Session, list[_Row]], list[RowError]]


IMPORTERS: dict[str, Importer] = {
    "customers": Importer(
        ("external_ref", "email", "name", "country"), _parse_customer, _write_customers
    ),
    "products": Importer(
        ("sku", "name", "category", "brand", "price", "stock"), _parse_product, _write_products
    ),
    "orders": Importer(
        ("order_number", "sku", "quantity", "unit_price", *_ORDER_FIELDS),
        _parse_order_line,
        _write_orders,
    ),
    "reviews": Importer(
        ("customer_ref", "sku", "rating", "text", "created_at"), _parse_review, _write_reviews
    ),
}


def _duplicates(rows: Iterable[_Row], key: str) -> list[RowError]:
    first_line: dict[Any, int] = {}
    errors = []
    for row in rows:
        value = row.values[key]
        if value in first_line:
            errors.append(RowError(row.line, f"{key} {value!r} repeats line {first_line[value]}"))
        first_line.setdefault(value, row.line)
    return errors


def _ids_by(session: Session, key_column: Any, id_column: Any, keys: set[str]) -> dict[str, int]:
    return {
        key: id_
        for key, id_ in session.execute(select(key_column, id_column).where(key_column.in_(keys)))
    }


def import_csv(sessions: sessionmaker[Session], kind: str, path: Path) -> ImportResult:
    """Validate every row of ``path``, then write all of them in one transaction, or none."""
    importer = IMPORTERS[kind]
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [c for c in importer.columns if c not in header]
            if missing:
                return ImportResult(0, (RowError(1, f"missing column(s): {', '.join(missing)}"),))
            reader.fieldnames = header
            rows, errors = _parse_rows(reader, importer)
    except UnicodeDecodeError as error:
        return ImportResult(0, (RowError(0, f"the file is not UTF-8 text ({error.reason})"),))
    if not errors and not rows:
        return ImportResult(0, (RowError(1, "the file has no data rows"),))
    if errors:
        return ImportResult(0, tuple(errors))
    with sessions() as session:
        errors = importer.write(session, rows)
        if errors:
            session.rollback()
            return ImportResult(0, tuple(sorted(errors, key=lambda e: e.line)))
        refs = {row.values["customer_ref"] for row in rows if "customer_ref" in row.values}
        changed = _ids_by(session, Customer.external_ref, Customer.id, refs).values()
        session.commit()
    return ImportResult(len(rows), (), frozenset(changed))


def _parse_rows(
    reader: csv.DictReader[str], importer: Importer
) -> tuple[list[_Row], list[RowError]]:
    rows: list[_Row] = []
    errors: list[RowError] = []
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(RowError(reader.line_num, f"unreadable CSV: {error}"))
            break
        line = reader.line_num
        if None in raw:
            errors.append(RowError(line, "more values than columns"))
            continue
        try:
            rows.append(_Row(line, importer.parse({k: v or "" for k, v in raw.items()})))
        except RowInvalid as error:
            errors.append(RowError(line, str(error)))
    return rows, errors
