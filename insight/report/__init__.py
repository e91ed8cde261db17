"""The insight report: one self-contained HTML page with plots (``python -m insight report``)."""

from insight.report.html import render_report, write_report

__all__ = ["render_report", "write_report"]
