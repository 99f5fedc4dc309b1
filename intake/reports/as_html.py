"""The report as HTML: a standalone printable file, or the body the staff web page wraps."""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from intake.reports.context_lines import context_lines
from intake.reports.model import Chart, Figure, Report

Linker = Callable[[Figure], str | None]


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The report templates, autoescaped."""
    return Environment(
        loader=PackageLoader("intake.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=False),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def cases_link(base: str, report: Report) -> Linker:
    """Links each figure to the staff web page listing the cases behind it."""

    def link(figure: Figure) -> str:
        query = urlencode(
            {
                "from": report.period.start.isoformat(),
                "to": report.period.end.isoformat(),
                "figure": figure.key,
            }
        )
        return f"{base.rstrip('/')}/reports/cases?{query}"

    return link


def inline_chart(chart: Chart) -> Markup:
    """The SVG itself, for a standalone document: its text stays searchable."""
    return Markup(chart.svg)  # noqa: S704 - drawn by matplotlib, which escapes its text


def image_chart(chart: Chart) -> Markup:
    """The SVG as an image, for pages whose Content-Security-Policy forbids inline styles."""
    data = base64.b64encode(chart.svg.encode()).decode()
    return Markup('<img class="chart" src="data:image/svg+xml;base64,{}" alt="{}">').format(
        data, chart.description
    )


def render_body(report: Report, link: Linker | None = None) -> Markup:
    """The report as an HTML fragment (an <article>), for a page that has its own layout."""
    template = environment().get_template("_report_body.html.j2")
    return Markup(  # noqa: S704 - rendered by an autoescaping template
        template.render(report=report, context=context_lines(report), link=link, chart=image_chart)
    )


def render_html(report: Report, link: Linker | None = None) -> str:
    """A complete HTML document with inline styles and charts: open it, print it, send it."""
    template = environment().get_template("report.html.j2")
    return template.render(
        report=report, context=context_lines(report), link=link, chart=inline_chart
    )


def stylesheet() -> str:
    """The report's CSS, for pages that include the body in their own layout."""
    loader = environment().loader
    assert loader is not None
    source, _, _ = loader.get_source(environment(), "report.css")
    return source
