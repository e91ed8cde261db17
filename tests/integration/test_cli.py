from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from insight.cli import app
from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import current_revision, head_revision
from insight.db.models import Product

runner = CliRunner()


def test_migrate_creates_the_schema_in_a_new_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'shop.db'}"
    (tmp_path / "new").mkdir()

    result = runner.invoke(app, ["migrate", "--database-url", url])

    assert result.exit_code == 0, result.output
    assert current_revision(make_engine(url)) == head_revision()


def test_import_reports_bad_lines_exits_non_zero_and_writes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    csv_file = tmp_path / "products.csv"
    csv_file.write_text(
        "sku,name,category,brand,price,stock\nP-1,Phone,Phones,Acme,1.00,1\nP-2,Phone,,Acme,x,1\n"
    )

    result = runner.invoke(app, ["import", "products", str(csv_file), "--database-url", url])

    assert result.exit_code == 1
    assert "line 3: category is empty" in result.output
    with make_sessionmaker(make_engine(url))() as session:
        assert session.scalar(select(func.count(Product.id))) == 0


def test_import_of_a_good_file_says_how_many_rows_it_imported(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    csv_file = tmp_path / "products.csv"
    csv_file.write_text("sku,name,category,brand,price,stock\nP-1,Phone,Phones,Acme,1.00,1\n")

    result = runner.invoke(app, ["import", "products", str(csv_file), "--database-url", url])

    assert result.exit_code == 0, result.output
    assert "imported 1 products" in result.output


def test_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    csv_file = tmp_path / "x.csv"
    csv_file.write_text("a\n1\n")

    result = runner.invoke(app, ["import", "invoices", str(csv_file)])

    assert result.exit_code == 2
    assert "unknown kind 'invoices'" in result.output
