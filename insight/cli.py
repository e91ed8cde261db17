"""The ``insight`` command line: ``python -m insight --help``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
eval_app = typer.Typer(help="Answer-quality evaluations on held-out data (→ eval-results/).")
app.add_typer(eval_app, name="eval")
bench_app = typer.Typer(help="Speed and scale benchmarks (→ bench-results/).")
app.add_typer(bench_app, name="bench")
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
    """Import the shop's own data from CSV. Any bad row rejects the whole file. The profiles of
    the customers whose orders or reviews were imported are refreshed (or all rebuilt)."""
    from insight.importers.csv_import import IMPORTERS, import_csv
    from insight.profiles.refresh import refresh_after_import

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
    refreshed = refresh_after_import(engine, result.customer_ids, Settings.from_env().cache_dir)
    console.print(refreshed.message)


@build_app.command("faq")
def build_faq(
    force: Annotated[bool, typer.Option(help="Rebuild even if the cache matches.")] = False,
) -> None:
    """FAQ index: FAISS over MiniLM embeddings of knowledge/faq, with a tuned answer threshold."""
    from insight.faq.build import build_from_settings

    build = build_from_settings(Settings.from_env(), force=force)
    state = f"built in {build.seconds:.1f}s" if build.built else "up to date (cached)"
    console.print(
        f"[green]FAQ {state}[/green]: {build.entries} entries, {build.rows} texts, "
        f"{build.index_kind} index, threshold {build.threshold:.3f} "
        f"({build.asked_threshold:.3f} when the intent reader is sure) → {build.path}"
    )


@eval_app.command("faq")
def eval_faq(
    show_errors: Annotated[bool, typer.Option(help="List misses and false answers.")] = False,
) -> None:
    """FAQ recall@1/3, MRR on held-out paraphrases and false answers on out-of-scope questions."""
    from insight.faq.evaluate import errors_table, report_table, run_faq_eval

    report = run_faq_eval(Settings.from_env())
    console.print(report_table(report))
    if show_errors:
        console.print(errors_table(report))


@bench_app.command("faq")
def bench_faq(
    queries: Annotated[int, typer.Option(help="Timed queries per index size.")] = 200,
) -> None:
    """FAQ query latency at 1k, 10k and 100k entries (synthetic vectors, real query encoder)."""
    from insight.faq.bench import bench_table, run_faq_bench

    console.print(bench_table(run_faq_bench(queries=queries)))


@build_app.command("emotion")
def build_emotion(
    force: Annotated[bool, typer.Option(help="Rebuild even if the cache matches.")] = False,
) -> None:
    """Emotion + polarity model: MiniLM fine-tuned on shopper messages and sentiment corpora."""
    from insight.emotion.train import build_emotion_model

    build = build_emotion_model(Settings.from_env().cache_dir, force=force, log=console.print)
    state = f"built in {build.seconds:.0f}s" if build.built else "up to date (cached)"
    console.print(f"[green]emotion model {state}[/green] → {build.path}")


@eval_app.command("emotion")
def eval_emotion(
    show_errors: Annotated[bool, typer.Option(help="List misclassified messages.")] = False,
) -> None:
    """Emotion P/R/F1 on held-out shopper messages; polarity vs VADER on held-out Amazon reviews."""
    from insight.emotion.evaluate import report_tables, run_emotion_eval

    emotion, polarity = run_emotion_eval(Settings.from_env().cache_dir, log=console.print)
    for table in report_tables(emotion, polarity):
        console.print(table)
    if show_errors:
        for example, predicted in emotion.misses:
            console.print(f"{example.label:>12} → {predicted:<12} {example.text}", markup=False)


@eval_app.command("understanding")
def eval_understanding(
    model_dir: Annotated[
        Path | None,
        typer.Option(help="Score this understanding model folder instead of building one."),
    ] = None,
) -> None:
    """Intent and emotion on text written by others (tests/data/outside, Amazon reviews), next
    to the team's held-out intents, read as the gateway reads them."""
    from insight.faq.index import FaissFaqIndex
    from insight.understanding.outside_eval import report_tables, run_outside_eval

    settings = Settings.from_env()
    faq = FaissFaqIndex.from_settings(settings)
    report = run_outside_eval(settings.cache_dir, model_dir, log=console.print, faq=faq)
    for table in report_tables(report):
        console.print(table)


@eval_app.command("intent-folds")
def eval_intent_folds(
    folds: Annotated[int, typer.Option(help="Folds (one model trained per fold).")] = 5,
) -> None:
    """k-fold cross-validation of the intent head on data/nlu (minutes per fold)."""
    from insight.results import update_results
    from insight.understanding.crossval import cross_validate_intents

    result = cross_validate_intents(Settings.from_env().cache_dir, folds, log=console.print)
    update_results("eval", "intent_cv", result)
    console.print(
        f"intent {folds}-fold cross-validation on n={result['n']}: macro-F1 {result['macro_f1']},"
        f" accuracy {result['accuracy']}"
    )


@bench_app.command("emotion")
def bench_emotion(
    runs: Annotated[int, typer.Option(help="Timed single-message detections.")] = 300,
) -> None:
    """Latency of one emotion detection on CPU (p50/p95)."""
    from insight.emotion.bench import run_emotion_bench

    result = run_emotion_bench(Settings.from_env().cache_dir, runs=runs)
    console.print(f"emotion detection: p50 {result['p50']} ms, p95 {result['p95']} ms")


@bench_app.command("understanding")
def bench_understanding(
    runs: Annotated[int, typer.Option(help="Timed single-message readings of each kind.")] = 300,
) -> None:
    """One shared pass per message (intent, emotion, FAQ hit) against separate models."""
    from insight.understanding.bench import run_understanding_bench

    result = run_understanding_bench(Settings.from_env(), runs=runs)
    console.print(
        f"shared pass p50 {result['shared_pass']['p50']} ms, p95 {result['shared_pass']['p95']}"
        f" ms; separate models p50 {result['separate_models']['p50']} ms"
        f" (ratio {result['ratio_p50']})"
    )


@build_app.command("profiles")
def build_profiles_command(
    database_url: DatabaseOption = None,
    *,
    alpha: Annotated[float, typer.Option(help="Weight α of the behaviour block.")] = 1.0,
    beta: Annotated[float, typer.Option(help="Weight β of the review-sentiment block.")] = 0.6,
    gamma: Annotated[float, typer.Option(help="Weight γ of the review-topics block.")] = 0.4,
    as_of: Annotated[
        str | None, typer.Option(help="Reference time (ISO); default: the shop's latest activity.")
    ] = None,
    customer: Annotated[
        int | None,
        typer.Option(help="Refresh only this customer with the last full build's models."),
    ] = None,
    if_missing: Annotated[
        bool,
        typer.Option(
            "--if-missing",
            help="Do nothing when profiles were built by this version with the same review scorer.",
        ),
    ] = False,
    vader: Annotated[
        bool,
        typer.Option(
            "--vader",
            help="Score reviews with the VADER baseline even if the emotion model is built.",
        ),
    ] = False,
) -> None:
    """Customer profiles: behaviour, reviews and topics → segments, churn, 12-month value."""
    from datetime import datetime

    from rich.progress import Progress

    from insight.profiles.build import BUILD_STEPS, build_profiles
    from insight.profiles.pipeline import ProfileConfig
    from insight.profiles.refresh import ProfileRefresher
    from insight.profiles.sentiment import VaderBaseline, build_scorer
    from insight.profiles.store import built_with

    engine = make_engine(_database_url(database_url))
    upgrade(engine)
    moment = datetime.fromisoformat(as_of) if as_of else None
    cache_dir = Settings.from_env().cache_dir
    if customer is not None:
        ProfileRefresher(engine, cache_dir).refresh(customer, as_of=moment)
        console.print(f"[green]profile of customer {customer} refreshed[/green]")
        return
    scorer = VaderBaseline() if vader else build_scorer(cache_dir)
    if if_missing and built_with(engine) == scorer.name:
        console.print("customer profiles already built; nothing to do")
        return
    config = ProfileConfig(alpha=alpha, beta=beta, gamma=gamma)
    with Progress(console=console) as progress:
        task = progress.add_task("building profiles", total=len(BUILD_STEPS))

        def advance(step: str) -> None:
            progress.update(task, advance=1, description=step)

        summary = build_profiles(
            engine,
            config,
            as_of=moment,
            scorer=scorer,
            progress=advance,
        )
    table = Table(title=f"{summary.customers:,} profiles as of {summary.as_of:%Y-%m-%d %H:%M}")
    table.add_column("segment")
    table.add_column("customers", justify="right")
    for name, size in summary.segments.items():
        table.add_row(name, f"{size:,}")
    console.print(table)
    console.print(
        f"{summary.reviews:,} reviews scored by {summary.scorer}; "
        f"topics: {'; '.join(summary.topics) or 'none'}"
    )


@eval_app.command("clv")
def eval_clv() -> None:
    """Churn and lifetime value on CDNOW: ShopSense (BG/NBD-anchored boosting) vs BG/NBD + GG."""
    from insight.clv.cdnow import compare_on_cdnow
    from insight.results import update_results

    comparison = compare_on_cdnow()
    for split in (*comparison.inner, comparison):
        inner = "inner split, " if split is not comparison else ""
        table = Table(
            title=f"CDNOW {inner}calibration to {split.calibration_end:%Y-%m-%d}, "
            f"{split.holdout_days}-day holdout ({split.customers:,} customers)"
        )
        table.add_column("metric")
        table.add_column("ShopSense", justify="right")
        table.add_column("BG/NBD + GG", justify="right")
        ours, theirs = split.shopsense.as_dict(), split.bgnbd.as_dict()
        for metric in ours:
            table.add_row(metric, f"{ours[metric]:.4f}", f"{theirs[metric]:.4f}")
        console.print(table)
        console.print(
            f"all-zero forecast: MAE {split.zero_mae_repeat_purchases:.4f} purchases, "
            f"{split.zero_clv_mae:.2f} $ (per-customer MAE rewards under-prediction)"
        )
    path = update_results("eval", "clv", comparison.as_dict())
    console.print(f"[green]written[/green] {path}")


@bench_app.command("profiles")
def bench_profiles(
    quick: Annotated[
        bool, typer.Option("--quick", help="Leave out the 1,000,000-customer run (minutes).")
    ] = False,
) -> None:
    """Profile build time and peak memory at 10k, 100k and 1M synthetic customers."""
    from insight.profiles.bench import QUICK_SIZES, SIZES, run_profiles_bench
    from insight.results import update_results

    rows = run_profiles_bench(QUICK_SIZES if quick else SIZES)
    table = Table(title="profile build (synthetic shop)")
    columns = ("customers", "events", "seconds", "cpu_seconds", "peak_mb")
    for column in columns:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*(f"{row[c]:,}" for c in columns))
    console.print(table)
    console.print(f"[green]written[/green] {update_results('bench', 'profiles_build', rows)}")


@build_app.command("recommend")
def build_recommend(
    force: Annotated[bool, typer.Option(help="Rebuild even if the cache matches.")] = False,
) -> None:
    """Suggestions: ALS, category transitions, popularity by segment, MiniLM content neighbours."""
    from insight.recommend.build import NoInteractionsError, build_from_settings

    try:
        build = build_from_settings(Settings.from_env(), force=force)
    except NoInteractionsError as error:
        console.print(f"[yellow]recommender not built[/yellow]: {error}")
        raise typer.Exit(1) from error
    state = f"built in {build.seconds:.1f}s" if build.built else "up to date (cached)"
    console.print(
        f"[green]recommender {state}[/green]: {build.products:,} products, "
        f"{build.customers:,} customers, {build.purchases:,} purchases, "
        f"{build.browsing_events:,} browsing events, {build.segments} segments → {build.path}"
    )


@eval_app.command("recommend")
def eval_recommend(
    cutoff: Annotated[
        str | None,
        typer.Option(help="Split time (ISO); default: the last 20% of purchases are tested."),
    ] = None,
) -> None:
    """HR@10 and NDCG@10 of popularity, ALS, content and the hybrid on a time split of orders."""
    import pandas as pd

    from insight.recommend.evaluate import report_table, run_recommend_eval

    moment = pd.Timestamp(cutoff) if cutoff else None
    console.print(report_table(run_recommend_eval(Settings.from_env(), moment)))


@bench_app.command("recommend")
def bench_recommend(
    queries: Annotated[int, typer.Option(help="Timed requests per catalogue size.")] = 200,
) -> None:
    """Top-10 latency and training time at 1k, 10k and 100k products (synthetic shops)."""
    from insight.recommend.bench import bench_table, run_recommend_bench

    console.print(bench_table(run_recommend_bench(queries=queries)))


@app.command()
def report(
    database_url: DatabaseOption = None,
    out: Annotated[Path, typer.Option(help="Where to write the HTML page.")] = Path(
        "var/insight-report.html"
    ),
) -> None:
    """Insight report (HTML): segments, churn risk, review sentiment by brand and month, topics."""
    from insight.report.html import write_report

    engine = make_engine(_database_url(database_url))
    path = write_report(make_sessionmaker(engine), out)
    console.print(f"[green]report written[/green] → {path}")


@app.command("support-report")
def support_report(
    database_url: DatabaseOption = None,
    since: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="First day (default: 30 days ago)."),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Day after the last (default: tomorrow)."),
    ] = None,
    csv_dir: Annotated[
        Path, typer.Option(help="Folder for one CSV per table and report.html (the plots).")
    ] = Path("var/support-analytics"),
) -> None:
    """The shop owner's support figures (the desk's analytics page, for admins): containment,
    hand-overs by reason, CSAT, response times, unanswered questions, emotion mix; CSV export
    and an HTML page with the plots."""
    from insight.report.support import CSV_TABLES, load_support_stats, stats_csv
    from insight.report.support_page import render_support_page

    end = until.date() if until else date.today() + timedelta(days=1)
    start = since.date() if since else end - timedelta(days=30)
    engine = make_engine(_database_url(database_url))
    stats = load_support_stats(make_sessionmaker(engine), start, end)
    csv_dir.mkdir(parents=True, exist_ok=True)
    for table in CSV_TABLES:
        (csv_dir / f"{table}.csv").write_text(stats_csv(stats, table), encoding="utf-8")
    (csv_dir / "report.html").write_text(render_support_page(stats), encoding="utf-8")
    containment = "n/a" if stats.containment is None else f"{stats.containment:.0%}"
    csat = "n/a" if stats.csat_mean is None else f"{stats.csat_mean:.2f}"
    console.print(
        f"{start} to {end} (not included): {stats.conversations} conversations, "
        f"{containment} resolved by the assistant, CSAT {csat}, median first response "
        f"{stats.first_response_s} s, {stats.retention_offers} retention offers issued"
    )
    for reason, count in stats.handovers.items():
        console.print(f"  handed over: {reason} × {count}")
    for gap in stats.gaps[:5]:
        console.print(f"  unanswered ({gap.size}): {gap.example}")
    console.print(f"[green]tables and report.html written[/green] → {csv_dir}")
