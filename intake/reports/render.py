"""One entry point for every format: build the report for a period and render it."""

from __future__ import annotations

from intake.context import AppContext
from intake.reports.as_csv import render_csv
from intake.reports.as_html import cases_link, render_html
from intake.reports.as_json import render_json
from intake.reports.as_markdown import render_markdown
from intake.reports.build import build_report
from intake.reports.period import Period

FORMATS = ("md", "html", "csv", "json")


def render(ctx: AppContext, period: Period, fmt: str) -> str:
    """The report for `period` in `fmt` (md, html, csv or json)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown report format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    # Only the HTML format shows charts, so only it pays for drawing them.
    report = build_report(ctx, period, with_charts=fmt == "html")
    if fmt == "html":
        return render_html(report, cases_link(ctx.settings.public_url, report))
    if fmt == "csv":
        return render_csv(report)
    if fmt == "json":
        return render_json(report)
    return render_markdown(report)
