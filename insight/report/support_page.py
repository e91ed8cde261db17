"""The shop owner's support figures as one HTML file with plots (``python -m insight
support-report``), for owners who read them outside the desk; the same figures as the desk's
analytics page, drawn the way ``insight.report.html`` draws the insight report."""

from __future__ import annotations

import html

import matplotlib.pyplot as plt

from insight.report.html import page, plot_img
from insight.report.support import SupportStats

GAPS_SHOWN = 10


def render_support_page(stats: SupportStats) -> str:
    containment = "n/a" if stats.containment is None else f"{stats.containment:.0%}"
    csat = "n/a" if stats.csat_mean is None else f"{stats.csat_mean:.2f}"
    gaps = "".join(
        f"<tr><td>{gap.size}</td><td>{html.escape(gap.example)}</td></tr>"
        for gap in stats.gaps[:GAPS_SHOWN]
    )
    return page(
        "ShopSense support report",
        f"<h1>Support, {stats.since} to {stats.until} (not included)</h1>"
        f"<p>{stats.conversations} conversations, {containment} resolved by the assistant, "
        f"CSAT {csat}, {stats.retention_offers} retention offers issued.</p>"
        f"<h2>Resolved by the assistant and hand-overs</h2>{_containment_plots(stats)}"
        f"<h2>Satisfaction and emotion</h2>{_csat_and_emotion_plots(stats)}"
        "<h2>Questions the assistant could not answer</h2>"
        f"<table><tr><th>times</th><th>example</th></tr>{gaps}</table>",
    )


def _containment_plots(stats: SupportStats) -> str:
    figure, (daily, reasons) = plt.subplots(1, 2, figsize=(12, 3.5))
    days = [count.day for count in stats.days]
    daily.plot(days, [count.containment for count in stats.days], marker="o")
    daily.set_ylim(0, 1)
    daily.set_title("share resolved by the assistant, per day")
    daily.tick_params(axis="x", rotation=45)
    reasons.barh(list(stats.handovers), list(stats.handovers.values()))
    reasons.set_title("hand-overs by reason")
    return plot_img(figure, "containment per day and hand-overs by reason")


def _csat_and_emotion_plots(stats: SupportStats) -> str:
    figure, (scores, emotions) = plt.subplots(1, 2, figsize=(12, 3.5))
    scores.bar([str(score) for score in range(1, 6)], [stats.csat.get(s, 0) for s in range(1, 6)])
    scores.set_title("CSAT answers by score")
    emotions.bar(list(stats.emotions), list(stats.emotions.values()))
    emotions.set_title("emotion of shopper messages")
    emotions.tick_params(axis="x", rotation=45)
    return plot_img(figure, "CSAT distribution and emotion mix")
