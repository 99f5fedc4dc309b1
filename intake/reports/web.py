"""The staff web app's Reports page: a period picker, the report, and the cases behind a figure."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from intake.api.deps import DbSession
from intake.context import AppContext
from intake.reports.as_html import cases_link, render_body, stylesheet
from intake.reports.build import build_report
from intake.reports.model import Report
from intake.reports.period import Period, PeriodError, financial_quarter, parse_period, presets
from intake.reports.render import FORMATS, render
from intake.web import add_nav, add_templates, render_page, require_staff
from store.models import Case, Role, StaffUser

router = APIRouter(include_in_schema=False)
# Reports are for team leads and admins (Code 9.7: the information the governing body gets).
Lead = Annotated[StaffUser, Depends(require_staff(Role.TEAM_LEAD))]
SHOWN_CASES = 500
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


class ReportCache:
    """Keeps recent reports for a minute, so a figure's cases match the page just clicked."""

    def __init__(self, seconds: float = 60, size: int = 4):
        self.seconds = seconds
        self.size = size
        self._items: OrderedDict[tuple[str, str], tuple[float, Report]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, ctx: AppContext, period: Period, *, charts: bool) -> Report:
        """The report for `period`, built at most a minute ago."""
        key = (period.start.isoformat(), period.end.isoformat())
        now = time.monotonic()
        with self._lock:
            found = self._items.get(key)
        if found and now - found[0] < self.seconds and (found[1].charts or not charts):
            return found[1]
        report = build_report(ctx, period, with_charts=charts)
        with self._lock:
            self._items[key] = (now, report)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return report


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def _cache(request: Request) -> ReportCache:
    cache: ReportCache = request.app.state.report_cache
    return cache


def _choose(ctx: AppContext, choice: str, start: str, end: str) -> Period:
    if choice and choice != "custom":
        start, _, end = choice.partition("_")
    if not start and not end:
        return financial_quarter(ctx.calendar.local_date(ctx.clock()))
    return parse_period(start, end)


def _picker(ctx: AppContext, period: Period | None, start: str, end: str) -> dict[str, Any]:
    today = ctx.calendar.local_date(ctx.clock())
    options = [(f"{p.start}_{p.end}", p.label) for p in presets(today)]
    chosen = f"{period.start}_{period.end}" if period else "custom"
    if chosen not in dict(options):
        chosen = "custom"
    return {
        "options": options,
        "chosen": chosen,
        "start": period.start.isoformat() if period else start,
        "end": period.end.isoformat() if period else end,
    }


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, user: Lead, db: DbSession, period: str = "") -> HTMLResponse:
    """The report for the chosen quarter, year or dates (this quarter until one is chosen)."""
    ctx = _ctx(request)
    # "from" is a Python keyword, so the dates are read from the query string directly.
    start = request.query_params.get("from", "")
    end = request.query_params.get("to", "")
    try:
        chosen = _choose(ctx, period, start, end)
    except PeriodError as problem:
        return render_page(
            request,
            "reports/page.html",
            {"error": str(problem), "body": "", "picker": _picker(ctx, None, start, end)},
            status_code=422,
        )
    _release(db)
    report = _cache(request).get(ctx, chosen, charts=True)
    return render_page(
        request,
        "reports/page.html",
        {
            "error": "",
            "body": render_body(report, cases_link("", report)),
            "picker": _picker(ctx, chosen, start, end),
            "period": chosen,
            "formats": FORMATS,
        },
    )


def _release(db: Session) -> None:
    # On SQLite every transaction holds the write lock; end the sign-in check's transaction
    # before the report opens its own, or the two would wait for each other.
    db.commit()


def _figure_cases(request: Request, db: Session) -> tuple[Period, Any]:
    ctx = _ctx(request)
    _release(db)
    period = parse_period(request.query_params.get("from", ""), request.query_params.get("to", ""))
    report = _cache(request).get(ctx, period, charts=False)
    return period, report.figure(request.query_params.get("figure", ""))


def _rows(db: Session, ids: list[int]) -> Iterator[Case]:
    # In chunks: a year's figure can stand for tens of thousands of cases.
    for i in range(0, len(ids), 1000):
        chunk = ids[i : i + 1000]
        found = {c.id: c for c in db.exec(select(Case).where(col(Case.id).in_(chunk))).all()}
        yield from (found[case_id] for case_id in chunk if case_id in found)


@router.get("/reports/cases", response_class=HTMLResponse)
def figure_cases(request: Request, user: Lead, db: DbSession) -> HTMLResponse:
    """The cases behind one figure of the report."""
    try:
        period, figure = _figure_cases(request, db)
    except PeriodError as problem:
        return render_page(request, "reports/cases.html", {"error": str(problem)}, status_code=422)
    if figure is None:
        return render_page(
            request,
            "reports/cases.html",
            {"error": "That figure is not in the report for this period. Open the report again."},
            status_code=404,
        )
    ctx = _ctx(request)
    cases = list(_rows(db, figure.case_ids[:SHOWN_CASES]))
    return render_page(
        request,
        "reports/cases.html",
        {
            "error": "",
            "period": period,
            "figure": figure,
            "cases": cases,
            "local_date": ctx.calendar.local_date,
            "more": max(0, len(figure.case_ids) - SHOWN_CASES),
            "query": request.url.query,
        },
    )


@router.get("/reports/cases.csv", response_model=None)
def figure_cases_csv(request: Request, user: Lead, db: DbSession) -> Response:
    """The cases behind one figure, as a spreadsheet."""
    try:
        period, figure = _figure_cases(request, db)
    except PeriodError as problem:
        return Response(str(problem), status_code=422, media_type="text/plain")
    if figure is None:
        return Response("That figure is not in the report.", 404, media_type="text/plain")
    ctx = _ctx(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["reference", "label", "stage", "status", "received", "channel", "category", "url"]
    )
    base = ctx.settings.public_url.rstrip("/")
    for case in _rows(db, figure.case_ids):
        writer.writerow(
            [
                case.reference,
                case.label.value if case.label else "awaiting triage",
                case.stage or "",
                case.status.value,
                ctx.calendar.local_date(case.received_at).isoformat(),
                case.channel.value,
                case.category,
                f"{base}/cases/{case.id}",
            ]
        )
    name = f"cases-{figure.key}-{period.start}-to-{period.end}.csv"
    return Response(
        buffer.getvalue(),
        media_type=MEDIA["csv"],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/reports/download", response_model=None)
def download(request: Request, user: Lead, db: DbSession, format: str = "html") -> Response:
    """The whole report as a file: html to print, md to read, csv or json for the data."""
    try:
        period = parse_period(
            request.query_params.get("from", ""), request.query_params.get("to", "")
        )
    except PeriodError as problem:
        return Response(str(problem), status_code=422, media_type="text/plain")
    if format not in FORMATS:
        return Response(
            f"Choose one of these formats: {', '.join(FORMATS)}.", 422, media_type="text/plain"
        )
    _release(db)
    name = f"complaints-report-{period.start}-to-{period.end}.{format}"
    return Response(
        render(_ctx(request), period, format),
        media_type=MEDIA[format],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            # A downloaded report has its own inline styles and no script at all.
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:",
        },
    )


@router.get("/reports/report.css", response_model=None)
def report_css(user: Lead) -> Response:
    """The report's stylesheet (pages may not carry inline styles)."""
    return Response(stylesheet(), media_type="text/css")


def mount(app: FastAPI, ctx: AppContext) -> None:
    """Add the Reports page to the staff web app, for team leads and admins."""
    if not hasattr(app.state, "web"):  # the staff web app is not installed
        return
    add_templates(app, "intake.reports")
    add_nav(app, "Reports", "/reports", Role.TEAM_LEAD)
    app.state.report_cache = ReportCache()
    app.include_router(router)
