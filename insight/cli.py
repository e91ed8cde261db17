"""The ``insight`` command line: ``python -m insight --help``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from insight.db.engine import make_engine, make_sessionmaker
from insight.db.migrate import upgrade
from insight.settings import Settings

app = typer.Typer(help="ShopSense insight: shop database, demo data, models and reports.")
build_app = typer.Typer(help="Build models, indexes and tables (cached by a hash of their inputs).")
app.add_typer(build_app, name="build")
console = Console()

DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL; default $DATABASE_URL.")
]


def _database_url(explicit: str | None) -> str:
    settings = Settings.from_env()
    if explicit:
        return explicit
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    return settings.database_url


@app.command()
def migrate(database_url: DatabaseOption = None) -> None:
    """Create or upgrade the shop database schema to the latest migration."""
    engine = make_engine(_database_url(database_url))
    upgrade(engine)
    console.print(f"[green]schema up to date[/green] ({engine.url.render_as_string()})")


@app.command()
def seed(
    database_url: DatabaseOption = None,
    customers: Annotated[
        int | None,
        typer.Option(
            help="Grow the demo shop to this many customers (benchmarks; up to 1,000,000)."
        ),
    ] = None,
    random_seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 7,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when the shop already has products.")
    ] = False,
) -> None:
    """Migrate, then fill the database with the deterministic demo shop."""
    from insight.demo.seed import seed_demo_shop
    from insight.repositories import ProductRepository

    engine = make_engine(_database_url(database_url))
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    if if_empty and ProductRepository(sessions).count() > 0:
        console.print("demo shop already seeded; nothing to do")
        return
    summary = seed_demo_shop(engine, customers=customers, seed=random_seed)
    table = Table(title="demo shop")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in summary.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)


@app.command("import")
def import_(
    kind: Annotated[str, typer.Argument(help="customers, products, orders or reviews")],
    csv_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    database_url: DatabaseOption = None,
) -> None:
    """Import the shop's own data from CSV. Any bad row rejects the whole file."""
    from insight.importers.csv_import import IMPORTERS, import_csv

    if kind not in IMPORTERS:
        console.print(f"[red]unknown kind {kind!r}[/red]; choose one of {', '.join(IMPORTERS)}")
        raise typer.Exit(2)
    engine = make_engine(_database_url(database_url))
    upgrade(engine)
    result = import_csv(make_sessionmaker(engine), kind, csv_file)
    if result.errors:
        console.print(
            f"[red]{len(result.errors)} bad row(s); nothing imported from {csv_file}[/red]"
        )
        for error in result.errors:
            console.print(f"  line {error.line}: {error.message}")
        raise typer.Exit(1)
    console.print(f"[green]imported {result.imported} {kind}[/green] from {csv_file}")
