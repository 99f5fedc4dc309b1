"""Change over time: quarter-on-quarter measures, monthly volumes, service requests by type."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

from intake.reports.cohorts import Cohorts
from intake.reports.model import Figure, Table, unique
from intake.reports.performance import slug
from intake.reports.period import Period, months_for
from intake.reports.timeliness import LATE, ON_TIME
from intake.reports.volumes import UNCATEGORISED

TOP_TYPES = 8

Measure = Callable[[str, Cohorts], Figure]


def _count(key: str, label: str, ids: list[int]) -> Figure:
    return Figure(key, label, len(ids), ids)


def _acknowledged(key: str, c: Cohorts) -> Figure:
    timings = c.received[1] + c.received[2]
    on_time = [t.row.case_id for t in timings if t.acknowledgement == ON_TIME]
    due = sum(1 for t in timings if t.acknowledgement in (ON_TIME, LATE))
    return Figure(key, "Acknowledged within 5 working days", len(on_time), unique(on_time), of=due)


def _answered(stage: int, extensions: bool) -> Measure:
    def measure(key: str, c: Cohorts) -> Figure:
        sent = c.responded[stage]
        ok = [t.row.case_id for t in sent if (t.within_extension if extensions else t.within_code)]
        days = 10 if stage == 1 else 20
        label = (
            f"Stage {stage} answered within the Code's timescales (CH02)"
            if extensions
            else f"Stage {stage} answered within {days} working days, no extension"
        )
        return Figure(key, label, len(ok), ok, of=len(sent))

    return measure


MEASURES: list[tuple[str, Measure]] = [
    (
        "stage1",
        lambda k, c: _count(
            k, "Stage 1 complaints received", [t.row.case_id for t in c.received[1]]
        ),
    ),
    (
        "stage2",
        lambda k, c: _count(k, "Stage 2 requests received", [t.row.case_id for t in c.received[2]]),
    ),
    ("refused", lambda k, c: _count(k, "Complaints refused", [e.case_id for e in c.refused])),
    (
        "service_requests",
        lambda k, c: _count(k, "Service requests received", [s.id for s in c.service_requests]),
    ),
    ("acknowledged", _acknowledged),
    ("stage1_within_code", _answered(1, extensions=False)),
    ("stage1_ch02", _answered(1, extensions=True)),
    ("stage2_within_code", _answered(2, extensions=False)),
    ("stage2_ch02", _answered(2, extensions=True)),
]


def _short(quarter: Period) -> str:
    return quarter.label.split(" (")[0]


def quarters(period: Period, by_quarter: list[Cohorts]) -> Table:
    """The main measures for each financial quarter, oldest first."""
    columns = [_short(c.period) for c in by_quarter]
    rows: list[tuple[str, list[Figure]]] = []
    for name, measure in MEASURES:
        cells = [measure(f"quarter.{c.period.start.isoformat()}.{name}", c) for c in by_quarter]
        rows.append((cells[0].label, cells))
    return Table(
        "quarters",
        "Quarter on quarter",
        "Code 9.7b",
        "Whole financial quarters, counted by the same rules as the rest of the report: Q1 is "
        "April to June, Q2 July to September, Q3 October to December, Q4 January to March. "
        "Quarters marked for comparison fall outside the reported period.",
        columns,
        rows,
        context_columns={i for i, c in enumerate(by_quarter) if not period.overlaps(c.period)},
    )


def months(period: Period, cohorts: Cohorts) -> Table:
    """Complaints and service requests received in each month of the period."""
    spans = months_for(period)
    index = {}
    for i, span in enumerate(spans):
        day = span.start
        while day <= span.end:
            index[day] = i
            day = day.fromordinal(day.toordinal() + 1)
    buckets: dict[str, list[list[int]]] = {
        name: [[] for _ in spans] for name in ("stage1", "stage2", "service_requests")
    }
    for stage in (1, 2):
        for t in cohorts.received[stage]:
            buckets[f"stage{stage}"][index[t.row.requested]].append(t.row.case_id)
    for case in cohorts.service_requests:
        buckets["service_requests"][index[case.received]].append(case.id)
    labels = {
        "stage1": "Stage 1 complaints received",
        "stage2": "Stage 2 requests received",
        "service_requests": "Service requests received",
    }
    rows = [
        (
            labels[name],
            [
                _count(f"month.{span.start:%Y-%m}.{name}", labels[name], ids)
                for span, ids in zip(spans, buckets[name], strict=True)
            ],
        )
        for name in labels
    ]
    return Table(
        "months",
        "Received by month",
        "Code 9.7a, 1.4",
        "Complaints by the day received (stage 2: the day escalation was asked for), refused "
        "complaints left out; service requests by the day received.",
        [span.label for span in spans],
        rows,
    )


def service_request_trends(by_quarter: list[Cohorts], period: Period) -> Table:
    """Service requests of the most common types, quarter by quarter (1.4)."""

    def kind(case_category: str) -> str:
        return case_category or UNCATEGORISED

    grouped: list[dict[str, list[int]]] = []
    for c in by_quarter:
        by_kind: dict[str, list[int]] = defaultdict(list)
        for s in c.service_requests:
            by_kind[kind(s.category)].append(s.id)
        grouped.append(by_kind)
    totals: Counter[str] = Counter()
    for c, by_kind in zip(by_quarter, grouped, strict=True):
        if period.overlaps(c.period):
            totals.update({name: len(ids) for name, ids in by_kind.items()})
    top = [name for name, _ in totals.most_common(TOP_TYPES)]
    rows: list[tuple[str, list[Figure]]] = []
    for name in top:
        cells = [
            _count(f"sr_quarter.{c.period.start.isoformat()}.{slug(name)}", name, g.get(name, []))
            for c, g in zip(by_quarter, grouped, strict=True)
        ]
        rows.append((name, cells))
    if len(totals) > len(top):
        cells = [
            _count(
                f"sr_quarter.{c.period.start.isoformat()}.other-types",
                "Other types",
                [i for name, ids in g.items() if name not in top for i in ids],
            )
            for c, g in zip(by_quarter, grouped, strict=True)
        ]
        rows.append(("Other types", cells))
    return Table(
        "service_request_trends",
        "Service requests by type, quarter on quarter",
        "Code 1.4",
        f"The {TOP_TYPES} most common types in the period; the rest together.",
        [_short(c.period) for c in by_quarter],
        rows,
        context_columns={i for i, c in enumerate(by_quarter) if not period.overlaps(c.period)},
    )
