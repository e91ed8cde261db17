"""Insight report: segment sizes and profiles, churn risk, review sentiment, topic trends.

Everything is read from the tables a profile build writes; the plots are matplotlib PNGs
embedded as base64, so the page is one file that opens anywhere without a server.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from insight.db.models import (
    BrandInsightRow,
    Customer,
    CustomerProfileRow,
    CustomerSegmentRow,
    Review,
    ReviewInsightRow,
    ReviewTopicRow,
)
from insight.profiles.repository import ProfileRepository

AT_RISK_SHOWN = 15
BRANDS_SHOWN = 15


@dataclass(frozen=True)
class ReportData:
    segments: pd.DataFrame  # id, name, size, centroid
    churn_risk: pd.Series
    at_risk: pd.DataFrame  # customer, segment, churn_risk, monetary, predicted_value_12m
    brands: pd.DataFrame  # brand, review_count, sentiment
    reviews: pd.DataFrame  # month, polarity, topic
    as_of: str


def load_report_data(sessions: sessionmaker[Session]) -> ReportData:
    with sessions() as session:
        segments = pd.DataFrame(
            [
                (s.id, s.name, s.size, s.centroid)
                for s in session.scalars(select(CustomerSegmentRow))
            ],
            columns=["id", "name", "size", "centroid"],
        )
        churn = pd.Series(
            list(
                session.scalars(
                    select(CustomerProfileRow.churn_risk).where(
                        CustomerProfileRow.churn_risk.is_not(None)
                    )
                )
            ),
            dtype="float64",
        )
        as_of = session.scalar(select(CustomerProfileRow.as_of).limit(1))
        brands = pd.DataFrame(
            session.execute(
                select(
                    BrandInsightRow.brand, BrandInsightRow.review_count, BrandInsightRow.sentiment
                )
            ).all(),
            columns=["brand", "review_count", "sentiment"],
        )
        topics = dict(session.execute(select(ReviewTopicRow.id, ReviewTopicRow.label)).all())
        reviews = pd.DataFrame(
            session.execute(
                select(
                    Review.created_at, ReviewInsightRow.polarity, ReviewInsightRow.topic_id
                ).join(ReviewInsightRow, ReviewInsightRow.review_id == Review.id)
            ).all(),
            columns=["created_at", "polarity", "topic_id"],
        )
    at_risk = ProfileRepository(sessions).most_at_risk(AT_RISK_SHOWN)
    with sessions() as session:
        names = dict(
            session.execute(
                select(Customer.id, Customer.name).where(
                    Customer.id.in_([p.customer_id for p in at_risk])
                )
            ).all()
        )
    reviews["month"] = pd.to_datetime(reviews["created_at"]).dt.to_period("M").astype(str)
    reviews["topic"] = reviews["topic_id"].map(topics)
    return ReportData(
        segments=segments.sort_values("size", ascending=False),
        churn_risk=churn,
        at_risk=pd.DataFrame(
            [
                (
                    names.get(p.customer_id, "?"),
                    p.customer_id,
                    p.segment,
                    p.churn_risk,
                    p.monetary,
                    p.predicted_value_12m,
                )
                for p in at_risk
            ],
            columns=["customer", "id", "segment", "churn_risk", "monetary", "predicted_value_12m"],
        ),
        brands=brands.sort_values("review_count", ascending=False).head(BRANDS_SHOWN),
        reviews=reviews,
        as_of=f"{as_of:%Y-%m-%d %H:%M}" if as_of else "never built",
    )


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def plot_img(figure: Figure, alt: str) -> str:
    return f'<img class="plot" alt="{html.escape(alt)}" src="data:image/png;base64,{_png(figure)}">'


def segment_plots(data: ReportData) -> str:
    figure, (sizes, profile) = plt.subplots(1, 2, figsize=(12, 4))
    sizes.barh(data.segments["name"], data.segments["size"], color="#4c78a8")
    sizes.invert_yaxis()
    sizes.set_title("customers per segment")
    centroids = pd.DataFrame(list(data.segments["centroid"]), index=data.segments["name"])
    shown = [
        c
        for c in ("recency_days", "frequency", "monetary", "churn_risk", "sentiment")
        if c in centroids
    ]
    scaled = centroids[shown].astype(float)
    spread = (scaled.max() - scaled.min()).replace(0, 1)
    image = profile.imshow(
        ((scaled - scaled.min()) / spread).fillna(0.5).to_numpy(), cmap="viridis", aspect="auto"
    )
    profile.set_xticks(range(len(shown)), shown, rotation=30, ha="right")
    profile.set_yticks(range(len(scaled)), scaled.index)
    profile.set_title("segment medians (scaled per column)")
    figure.colorbar(image, ax=profile)
    return plot_img(figure, "segment sizes and profiles")


def churn_plot(data: ReportData) -> str:
    figure, axis = plt.subplots(figsize=(6, 3.5))
    axis.hist(data.churn_risk, bins=20, range=(0, 1), color="#e45756")
    axis.set_xlabel("churn risk")
    axis.set_ylabel("customers")
    axis.set_title("churn-risk distribution")
    return plot_img(figure, "churn-risk distribution")


def sentiment_plots(data: ReportData) -> str:
    figure, (by_brand, by_month) = plt.subplots(1, 2, figsize=(12, 4))
    by_brand.barh(data.brands["brand"], data.brands["sentiment"].fillna(0), color="#54a24b")
    by_brand.invert_yaxis()
    by_brand.axvline(0, color="grey", linewidth=0.8)
    by_brand.set_title("review sentiment by brand (most reviewed)")
    monthly = data.reviews.groupby("month")["polarity"].mean()
    by_month.plot(range(len(monthly)), monthly.to_numpy(), marker="o")
    by_month.set_xticks(range(len(monthly)), list(monthly.index), rotation=45, ha="right")
    by_month.axhline(0, color="grey", linewidth=0.8)
    by_month.set_title("review sentiment by month")
    return plot_img(figure, "review sentiment by brand and month")


def topic_plot(data: ReportData) -> str:
    figure, axis = plt.subplots(figsize=(12, 4))
    topical = data.reviews.dropna(subset=["topic"])
    shares = pd.crosstab(topical["month"], topical["topic"], normalize="index")
    if shares.empty:
        axis.text(0.5, 0.5, "no review topics yet", ha="center", va="center")
    else:
        axis.stackplot(range(len(shares)), shares.T.to_numpy(), labels=list(shares.columns))
        axis.set_xticks(range(len(shares)), list(shares.index), rotation=45, ha="right")
        axis.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    axis.set_title("topic share of reviews by month")
    return plot_img(figure, "topic trends")


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _cell(value: object) -> str:
    return f"{value:,.2f}" if isinstance(value, float) else str(value)


def page(title: str, body: str) -> str:
    """A standalone report page (plots inlined) around ``body``; ``title`` is plain text."""
    style = (
        "body{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px}"
        "img.plot{max-width:100%;display:block;margin:1rem 0}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{style}</style></head><body>{body}"
        "</body></html>"
    )


def render_report(sessions: sessionmaker[Session]) -> str:
    data = load_report_data(sessions)
    return page(
        "ShopSense insight report",
        f"<h1>ShopSense insight report</h1><p>Profiles as of {html.escape(data.as_of)}; "
        f"{int(data.segments['size'].sum()):,} customers in {len(data.segments)} segments.</p>"
        f"<h2>Segments</h2>{segment_plots(data)}"
        f"{_table(data.segments[['name', 'size']])}"
        f"<h2>Churn risk</h2>{churn_plot(data)}<h3>Most at risk</h3>{_table(data.at_risk)}"
        f"<h2>Review sentiment</h2>{sentiment_plots(data)}"
        f"<h2>Topics</h2>{topic_plot(data)}",
    )


def write_report(sessions: sessionmaker[Session], out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(sessions), encoding="utf-8")
    return out
