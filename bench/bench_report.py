"""Report time for a year of cases (default 50,000) on SQLite and PostgreSQL.

Run: .venv/bin/python bench/bench_report.py [--cases 50000] [--backends sqlite,postgres]
     [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--repeat 3]

Each figure is also printed as a ratio against a baseline measured in the same run: one plain
query fetching every case row of the year (the least any report must do).
"""

# ruff: noqa: E501  (a report script: long print lines read better whole)
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.engine import make_url

from intake.calendar import calendar_for
from intake.context import AppContext
from intake.deadlines import compute_deadlines
from intake.reports.as_csv import render_csv
from intake.reports.as_html import render_html
from intake.reports.as_json import render_json
from intake.reports.as_markdown import render_markdown
from intake.reports.build import build_report
from intake.reports.period import financial_year
from intake.settings import Settings
from store.db import make_engine, migrate
from store.models import (
    Case,
    CaseLink,
    CaseStage,
    CaseStatus,
    Channel,
    Exclusion,
    ExclusionGround,
    Extension,
    Label,
    LinkKind,
    StaffUser,
)

YEAR = financial_year(2025)  # 1 April 2025 to 31 March 2026
PRODUCED = datetime(2026, 4, 15, 9, 0, tzinfo=UTC)
CATEGORIES = [
    "Repairs",
    "Damp and mould",
    "Anti-social behaviour",
    "Communication",
    "Rent",
    "Estate services",
    "Heating",
    "Staff conduct",
    "Lettings",
    "Pest control",
]
CHANNELS = ["email", "chat", "phone", "staff_form", "slack", "letter"]
REASONS = [
    "Waiting for a contractor's report",
    "Specialist survey needed",
    "Resident on holiday",
    "Complex case across several teams",
    "Waiting for the insurer",
]
HAZARDS = ["damp_mould", "gas", "water_leak", "no_heating", "pests", "electrical"]


def populate(engine: Engine, count: int, seed: int = 8) -> dict[str, int]:
    """A year of cases: about 30% complaints (some escalated, extended or refused)."""
    rng = random.Random(seed)
    calendar = calendar_for("england")
    zone = calendar.zone
    days = (YEAR.end - YEAR.start).days + 1
    cases: list[dict[str, Any]] = []
    stages: list[dict[str, Any]] = []
    extensions: list[dict[str, Any]] = []
    exclusions: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    service_requests: list[int] = []
    tally = {
        "complaints": 0,
        "service_requests": 0,
        "other": 0,
        "stage2": 0,
        "refused": 0,
        "extended": 0,
    }

    def moment(day: date, hour: int) -> datetime:
        return datetime.combine(day, clock_time(hour, rng.randint(0, 59)), zone).astimezone(UTC)

    with engine.begin() as conn:
        conn.execute(
            insert(StaffUser),
            [
                {
                    "id": 1,
                    "email": "bench@landlord.example",
                    "role": "team_lead",
                    "password_hash": "-",
                    "display_name": "Bench",
                    "is_active": True,
                    "must_change_password": False,
                }
            ],
        )
    for case_id in range(1, count + 1):
        day = YEAR.start + timedelta(days=rng.randrange(days))
        received = moment(day, rng.randint(7, 19))
        roll = rng.random()
        label = "complaint" if roll < 0.3 else "service_request" if roll < 0.9 else "other"
        hazards = [rng.choice(HAZARDS)] if rng.random() < 0.1 else []
        row = Case(
            id=case_id,
            label=Label(label),
            status=CaseStatus.CLOSED,
            channel=Channel(rng.choice(CHANNELS)),
            received_at=received,
            category=rng.choice(CATEGORIES),
            hazards=hazards,
            has_hazards=bool(hazards),
            vulnerability=rng.random() < 0.08,
        ).model_dump()
        cases.append(row)
        if label == "service_request":
            service_requests.append(case_id)
            tally["service_requests"] += 1
            continue
        if label == "other":
            tally["other"] += 1
            continue
        tally["complaints"] += 1
        if rng.random() < 0.03:
            row["status"] = CaseStatus.REFUSED
            exclusions.append(
                {
                    "case_id": case_id,
                    "stage": 1,
                    "ground": rng.choice(list(ExclusionGround)).value,
                    "reason": "Bench",
                    "decided_by_id": 1,
                    "decided_at": received,
                }
            )
            tally["refused"] += 1
            continue
        if service_requests and rng.random() < 0.2:
            links.append(
                {
                    "from_case_id": case_id,
                    "to_case_id": rng.choice(service_requests),
                    "kind": LinkKind.COMPLAINT_ABOUT_SERVICE_REQUEST.value,
                    "created_at": received,
                }
            )
        requested = received
        for stage in (1, 2):
            local = calendar.local_date(requested)
            due = compute_deadlines(local, calendar=calendar, stage=stage)
            acknowledged = requested + timedelta(days=rng.choice([0, 1, 2, 3, 4, 6, 9]))
            ack_day = calendar.local_date(acknowledged)
            respond_by = compute_deadlines(
                local, calendar=calendar, stage=stage, acknowledged=ack_day
            ).respond_by
            responded = acknowledged + timedelta(days=rng.randint(3, 40 if stage == 2 else 20))
            clock = {
                "case_id": case_id,
                "stage": stage,
                "requested_at": requested,
                "day_zero": due.day_zero,
                "acknowledge_by": due.acknowledge_by,
                "acknowledged_at": acknowledged if acknowledged < PRODUCED else None,
                "original_respond_by": respond_by,
                "respond_by": respond_by,
                "responded_at": responded if responded < PRODUCED else None,
                "decision": rng.choice(["upheld", "partly_upheld", "not_upheld", "withdrawn"]),
                "reasons": "",
                "remedy": "Apology" if rng.random() < 0.4 else "",
                "escalation_reason": "",
            }
            if rng.random() < 0.12:
                extra = rng.randint(3, 10 * stage)
                to_date = calendar.add_working_days(respond_by, extra)
                clock["respond_by"] = to_date
                extensions.append(
                    {
                        "case_id": case_id,
                        "stage": stage,
                        "from_date": respond_by,
                        "to_date": to_date,
                        "working_days": extra,
                        "reason": rng.choice(REASONS),
                        "agreed_with_resident": rng.random() < 0.5,
                        "created_by_id": 1,
                        "created_at": acknowledged + timedelta(days=5),
                    }
                )
                tally["extended"] += 1
            stages.append(clock)
            row["compensation_pence"] += rng.choice([0, 0, 0, 2500, 5000, 15000])
            if stage == 2 or rng.random() > 0.15 or clock["responded_at"] is None:
                break
            requested = clock["responded_at"] + timedelta(days=rng.randint(1, 20))
            if requested >= PRODUCED:
                break
            tally["stage2"] += 1
    with engine.begin() as conn:
        for table, rows in (
            (Case, cases),
            (CaseStage, stages),
            (Extension, extensions),
            (Exclusion, exclusions),
            (CaseLink, links),
        ):
            for i in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[i : i + 5000])
    return tally


def best(repeat: int, work: Callable[[], object]) -> float:
    """The median of `repeat` timed runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(
    name: str, engine: Engine, settings: Settings, repeat: int
) -> list[tuple[str, str, float]]:
    ctx = AppContext.build(
        settings, engine=engine, clock=lambda: PRODUCED, classifier_factory=lambda: None
    )  # type: ignore[arg-type,return-value]
    low = datetime.combine(YEAR.start, clock_time(), ctx.calendar.zone)
    high = datetime.combine(YEAR.end + timedelta(days=1), clock_time(), ctx.calendar.zone)

    def baseline() -> None:
        with engine.connect() as conn:
            conn.execute(
                select(Case.__table__).where(Case.received_at >= low, Case.received_at < high)
            ).all()  # type: ignore[attr-defined]

    report = build_report(ctx, YEAR)  # warm: imports, matplotlib's font cache
    rows = [(name, "baseline: fetch the year's case rows", best(repeat, baseline))]
    rows.append(
        (
            name,
            "build the report (figures only)",
            best(repeat, lambda: build_report(ctx, YEAR, with_charts=False)),
        )
    )
    rows.append(
        (name, "build the report with its 3 charts", best(repeat, lambda: build_report(ctx, YEAR)))
    )
    for fmt, render in (
        ("md", render_markdown),
        ("csv", render_csv),
        ("json", render_json),
        ("html", render_html),
    ):
        rows.append(
            (
                name,
                f"render {fmt} (from a built report)",
                best(repeat, lambda render=render: render(report)),
            )
        )  # type: ignore[misc]
    total = best(repeat, lambda: render_html(build_report(ctx, YEAR)))
    rows.append((name, "build and render html, as intake report does", total))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results: list[tuple[str, str, float]] = []
    tally: dict[str, int] = {}
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            if backend == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'bench.db'}"
                admin = None
                database = ""
            else:
                admin = make_engine(args.pg_url, isolation_level="AUTOCOMMIT")
                database = f"intake_bench_{uuid.uuid4().hex[:8]}"
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{database}"'))
                url = (
                    make_url(args.pg_url)
                    .set(database=database)
                    .render_as_string(hide_password=False)
                )
            engine = make_engine(url)
            try:
                migrate(engine)
                started = time.perf_counter()
                tally = populate(engine, args.cases)
                print(
                    f"{backend}: stored {args.cases:,} cases in {time.perf_counter() - started:.1f} s",
                    flush=True,
                )
                settings = Settings(database_url=url, data_dir=Path(tmp), homes_count=12_000)
                results += measure(backend, engine, settings, args.repeat)
            finally:
                engine.dispose()
                if admin is not None:
                    with admin.connect() as conn:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
                    admin.dispose()
    print()
    print(
        f"A year ({YEAR.title}) of {args.cases:,} cases: {tally.get('complaints', 0):,} complaints "
        f"({tally.get('stage2', 0):,} escalated, {tally.get('extended', 0):,} stage extensions, "
        f"{tally.get('refused', 0):,} refused), {tally.get('service_requests', 0):,} service requests, "
        f"{tally.get('other', 0):,} other. Median of {args.repeat} runs."
    )
    print(f"{'backend':<10} {'step':<44} {'seconds':>8} {'x baseline':>11}")
    base = {name: seconds for name, step, seconds in results if step.startswith("baseline")}
    for name, step, seconds in results:
        print(f"{name:<10} {step:<44} {seconds:>8.3f} {seconds / base[name]:>11.1f}")


if __name__ == "__main__":
    main()
