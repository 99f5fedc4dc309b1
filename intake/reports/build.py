"""Builds a report for a period: load once, measure every stage, count, chart."""

from __future__ import annotations

from intake.context import AppContext
from intake.reports import charts, outcomes, performance, trends, tsm, volumes
from intake.reports.cohorts import sort_into, time_all
from intake.reports.data import load
from intake.reports.model import Report
from intake.reports.period import Period, quarters_for
from intake.reports.timeliness import CodeClock
from intake.settings import CodeLimits

EMPTY = (
    "Nothing happened in this period: no complaints, service requests or other messages were "
    "received, and no responses, extensions or refusals were recorded."
)


def build_report(ctx: AppContext, period: Period, *, with_charts: bool = True) -> Report:
    """The complaint performance report (Code 8.1, 9.7; TSM CH01, CH02) for `period`."""
    produced = ctx.clock().astimezone(ctx.calendar.zone)
    today = produced.date()
    quarter_spans = quarters_for(period)
    data = load(
        ctx.engine,
        ctx.calendar,
        min(period.start, quarter_spans[0].start),
        max(period.end, quarter_spans[-1].end),
        today,
    )
    timings = time_all(data, CodeClock(ctx.calendar))
    cohorts = sort_into(period, data, timings)
    by_quarter = [sort_into(q, data, timings) for q in quarter_spans]
    homes = ctx.settings.homes_count
    sections = [
        volumes.received(cohorts),
        tsm.measures(cohorts, homes),
        performance.acknowledgement(cohorts),
        performance.responses(cohorts),
        performance.extensions(cohorts),
        performance.refusals(cohorts),
        outcomes.outcomes(cohorts),
        outcomes.remedies(cohorts, data, timings),
        volumes.channels(cohorts, data),
        volumes.categories(cohorts, data),
        volumes.about_service_requests(cohorts, data),
        volumes.hazards(cohorts, data),
        volumes.service_request_types(cohorts),
    ]
    tables = [
        trends.quarters(period, by_quarter),
        trends.months(period, cohorts),
        trends.service_request_trends(by_quarter, period),
    ]
    policy = ctx.settings.policy
    report = Report(
        period=period,
        produced_at=produced,
        landlord=ctx.settings.landlord_name,
        nation=ctx.settings.nation.value,
        homes_count=homes,
        policy=policy.model_dump(),
        code_limits={
            "acknowledge_days": CodeLimits.ACKNOWLEDGE,
            "stage1_response_days": CodeLimits.STAGE1_RESPONSE,
            "stage1_extension_days": CodeLimits.STAGE1_EXTENSION,
            "stage2_acknowledge_days": CodeLimits.ACKNOWLEDGE,
            "stage2_response_days": CodeLimits.STAGE2_RESPONSE,
            "stage2_extension_days": CodeLimits.STAGE2_EXTENSION,
        },
        sections=sections,
        tables=tables,
        empty=cohorts.is_empty,
    )
    _unique_keys(report)
    if report.empty:
        report.notes.append(EMPTY)
    if not homes:
        report.notes.append(tsm.NO_HOMES)
    if with_charts and not report.empty:
        _chart(report)
    return report


def _unique_keys(report: Report) -> None:
    # Keys come partly from free text (categories, reasons); make sure no two collide.
    seen: set[str] = set()
    for figure in report.figures():
        key, n = figure.key, 1
        while key in seen:
            n += 1
            key = f"{figure.key}-{n}"
        figure.key = key
        seen.add(key)


def _chart(report: Report) -> None:
    quarters, months = report.tables[0], report.tables[1]
    drawn = {
        "volumes": charts.volumes(months)
        if len(months.columns) <= 24
        else charts.volumes(quarters, "quarter"),
        "on_time": charts.on_time(quarters),
        "categories": charts.categories(report.section("categories")),  # type: ignore[arg-type]
    }
    report.charts = {key: svg for key, svg in drawn.items() if svg}
