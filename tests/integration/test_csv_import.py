from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import Customer, Order, Product, Review
from insight.importers.csv_import import import_csv
from tests.factories import ShopFixture


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content.lstrip("\n"), encoding="utf-8")
    return path


def _count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_good_customers_are_imported(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "customers.csv",
        """
external_ref,email,name,country,city,age
K-1,kari@example.no,Kari Nordmann,no,Bergen,34
K-2,ola@example.no,Ola Nordmann,NO,,
""",
    )
    result = import_csv(sessions, "customers", path)

    assert (result.imported, result.errors) == (2, ())
    with sessions() as session:
        kari = session.scalar(select(Customer).where(Customer.external_ref == "K-1"))
        assert kari is not None and (kari.country, kari.age, kari.city) == ("NO", 34, "Bergen")


def test_bad_rows_are_each_reported_by_line_and_nothing_is_imported(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "products.csv",
        """
sku,name,category,brand,price,stock,description
P-1,Good Phone,Phones,Acme,199.00,5,fine
P-2,,Phones,Acme,199.00,5,no name
P-3,Cheap Phone,Phones,Acme,cheap,5,price is not a number
P-4,Odd Phone,Phones,Acme,10.00,-1,negative stock
P-1,Again Phone,Phones,Acme,10.00,1,repeats the first sku
""",
    )
    result = import_csv(sessions, "products", path)

    assert result.imported == 0
    assert [(e.line, e.message) for e in result.errors] == [
        (3, "name is empty"),
        (4, "price 'cheap' is not a number"),
        (5, "stock -1 is outside 0…10000000"),
    ]
    assert _count(sessions, Product) == 0


def test_a_repeated_key_rejects_the_file_after_the_rows_parse(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "products.csv",
        """
sku,name,category,brand,price,stock
P-1,Good Phone,Phones,Acme,199.00,5
P-1,Again Phone,Phones,Acme,10.00,1
""",
    )
    result = import_csv(sessions, "products", path)

    assert [(e.line, e.message) for e in result.errors] == [(3, "sku 'P-1' repeats line 2")]
    assert _count(sessions, Product) == 0


def test_reimporting_the_catalogue_updates_prices_and_stock(
    sessions: sessionmaker[Session], shop: ShopFixture, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "products.csv",
        """
sku,name,category,brand,price,stock
LAP-1,Aero 14 Laptop,Laptops,Aero,749.00,9
NEW-1,Dock,Accessories,Aero,59.00,3
""",
    )
    assert import_csv(sessions, "products", path).imported == 2

    with sessions() as session:
        laptop = session.scalar(select(Product).where(Product.sku == "LAP-1"))
        assert laptop is not None and (laptop.price, laptop.stock) == (Decimal("749.00"), 9)
    assert _count(sessions, Product) == 4


def test_orders_group_their_lines_and_reference_known_customers_and_products(
    sessions: sessionmaker[Session], shop: ShopFixture, tmp_path: Path
) -> None:
    header = (
        "order_number,customer_ref,placed_at,status,currency,payment_method,ship_name,"
        "ship_street,ship_city,ship_postcode,ship_country,sku,quantity,unit_price\n"
    )
    address = "Ada Lovelace,1 Street,Oslo,0150,NO"
    path = _write(
        tmp_path,
        "orders.csv",
        header
        + f"200001,C-ADA,2026-10-01T10:00,delivered,EUR,card,{address},LAP-1,1,799.00\n"
        + f"200001,C-ADA,2026-10-01T10:00,delivered,EUR,card,{address},HP-1,2,99.90\n",
    )
    result = import_csv(sessions, "orders", path)

    assert (result.imported, result.errors) == (2, ())
    with sessions() as session:
        order = session.scalar(select(Order).where(Order.number == "SS-200001"))
        assert order is not None and order.total == Decimal("998.80") and len(order.lines) == 2


def test_orders_with_unknown_references_or_taken_numbers_import_nothing(
    sessions: sessionmaker[Session], shop: ShopFixture, tmp_path: Path
) -> None:
    header = (
        "order_number,customer_ref,placed_at,status,currency,payment_method,ship_name,"
        "ship_street,ship_city,ship_postcode,ship_country,sku,quantity,unit_price\n"
    )
    address = "X,1 Street,Oslo,0150,NO"
    path = _write(
        tmp_path,
        "orders.csv",
        header
        + f"200002,C-ADA,2026-10-01,delivered,EUR,card,{address},LAP-1,1,799.00\n"
        + f"200003,C-NOBODY,2026-10-01,delivered,EUR,card,{address},LAP-1,1,799.00\n"
        + f"200004,C-ADA,2026-10-01,delivered,EUR,card,{address},NO-SUCH-SKU,1,1.00\n"
        + f"SS-100001,C-ADA,2026-10-01,delivered,EUR,card,{address},LAP-1,1,1.00\n"
        + f"200005,C-ADA,2026-10-01,teleported,EUR,card,{address},LAP-1,1,1.00\n",
    )
    result = import_csv(sessions, "orders", path)

    assert [(e.line, e.message) for e in result.errors] == [
        (
            6,
            "status 'teleported' is not one of placed, paid, packed, shipped, delivered, "
            "cancelled, returned",
        ),
    ]
    path.write_text(path.read_text().rsplit("200005", 1)[0])
    result = import_csv(sessions, "orders", path)
    assert [(e.line, e.message) for e in result.errors] == [
        (3, "customer_ref 'C-NOBODY' is not a known customer"),
        (4, "sku 'NO-SUCH-SKU' is not a known product"),
        (5, "order SS-100001 already exists"),
    ]
    assert _count(sessions, Order) == 3


def test_reviews_replace_an_earlier_review_of_the_same_product(
    sessions: sessionmaker[Session], shop: ShopFixture, tmp_path: Path
) -> None:
    first = _write(
        tmp_path,
        "r1.csv",
        "customer_ref,sku,rating,text,created_at\nC-ADA,LAP-1,2,Fan is loud,2026-10-05\n",
    )
    second = _write(
        tmp_path,
        "r2.csv",
        "customer_ref,sku,rating,text,created_at\n"
        "C-ADA,LAP-1,4,Fan got quieter after an update,2026-10-20\n"
        "C-ADA,LAP-1,5,twice in one file,2026-10-21\n",
    )
    assert import_csv(sessions, "reviews", first).imported == 1
    rejected = import_csv(sessions, "reviews", second)
    assert [e.line for e in rejected.errors] == [3]

    second.write_text(
        "customer_ref,sku,rating,text,created_at\n"
        "C-ADA,LAP-1,4,Fan got quieter after an update,2026-10-20\n"
    )
    assert import_csv(sessions, "reviews", second).imported == 1
    with sessions() as session:
        reviews = session.scalars(select(Review)).all()
        assert [(r.rating, r.text) for r in reviews] == [(4, "Fan got quieter after an update")]


def test_files_that_are_not_usable_csv_say_why(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    missing = _write(tmp_path, "a.csv", "sku,name\nP-1,Phone\n")
    empty = _write(tmp_path, "b.csv", "sku,name,category,brand,price,stock\n")
    binary = tmp_path / "c.csv"
    binary.write_bytes(b"sku,name,category,brand,price,stock\n\xff\xfe\x00bad\n")
    extra = _write(tmp_path, "d.csv", "sku,name,category,brand,price,stock\nP,N,C,B,1,1,surplus\n")

    assert import_csv(sessions, "products", missing).errors[0].message == (
        "missing column(s): category, brand, price, stock"
    )
    assert import_csv(sessions, "products", empty).errors[0].message == "the file has no data rows"
    assert "not UTF-8" in import_csv(sessions, "products", binary).errors[0].message
    assert import_csv(sessions, "products", extra).errors[0].message == "more values than columns"
    assert _count(sessions, Product) == 0
