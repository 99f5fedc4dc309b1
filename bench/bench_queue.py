"""Triage queue page speed with 10,000 cases in the store, on SQLite and on PostgreSQL.

Server time for the first queue page (the whole request through the app: session check,
query, count, rows, template), median and 95th percentile over many requests, compared with
the same page over a 100-case store in the same run. Also a filtered view, a search and a
deep page.

Run: .venv/bin/python bench/bench_queue.py [--cases 10000] [--runs 60] [--postgres URL | --no-postgres]
(PostgreSQL defaults to INTAKE_TEST_DATABASE_URL, else postgresql+psycopg://postgres@127.0.0.1:5432/test;
the script creates and drops its own database there.)
"""

# ruff: noqa: E501  (a report script: long print lines read better whole)
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from intake.app import create_app  # noqa: E402
from intake.context import AppContext  # noqa: E402
from intake.settings import Settings  # noqa: E402
from intake.web.sessions import SESSION_COOKIE, start_session  # noqa: E402
from store.crud import create_user  # noqa: E402
from store.db import make_engine, migrate  # noqa: E402
from store.models import (  # noqa: E402
    Case,
    CaseStage,
    CaseStatus,
    Channel,
    Label,
    Resident,
    Role,
)

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
STATUSES = [
    (CaseStatus.NEW, 40),
    (CaseStatus.AWAITING_ACKNOWLEDGEMENT, 15),
    (CaseStatus.INVESTIGATING, 15),
    (CaseStatus.OPEN, 10),
    (CaseStatus.RESPONDED, 5),
    (CaseStatus.CLOSED, 15),
]
WORDS = [
    "leak",
    "boiler",
    "mould",
    "damp",
    "heating",
    "window",
    "door",
    "roof",
    "noise",
    "repair",
    "lift",
    "rubbish",
]
VIEWS = {
    "first page": "/",
    "label=complaint": "/?label=complaint",
    "search 'boiler'": "/?q=boiler",
    "flag=hazard": "/?flag=hazard",
    "page 50": "/?page=50",
}


def fill(engine, n: int, seed: int = 7) -> None:  # type: ignore[no-untyped-def]
    """n cases shaped like a real queue: mixed statuses, deadlines around today, some flags."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    today = now.date()
    statuses = [s for s, weight in STATUSES for _ in range(weight)]
    with Session(engine) as session:
        for start in range(0, n, 1000):
            residents = [
                Resident(name=f"Resident {i}", email=f"resident{i}@example.org")
                for i in range(start, min(n, start + 1000))
            ]
            session.add_all(residents)
            session.flush()
            cases = []
            for resident in residents:
                status = rng.choice(statuses)
                proposed = rng.choice(list(Label))
                confirmed = status is not CaseStatus.NEW
                label = (
                    Label.COMPLAINT
                    if status
                    in (
                        CaseStatus.AWAITING_ACKNOWLEDGEMENT,
                        CaseStatus.INVESTIGATING,
                        CaseStatus.RESPONDED,
                    )
                    else (
                        Label.SERVICE_REQUEST
                        if status is CaseStatus.OPEN
                        else (proposed if confirmed else None)
                    )
                )
                hazards = (
                    [rng.choice(["damp_mould", "gas", "water_leak", "no_heating"])]
                    if rng.random() < 0.1
                    else []
                )
                deadline = today + timedelta(days=rng.randint(-10, 25))
                words = rng.sample(WORDS, 3)
                cases.append(
                    Case(
                        status=status,
                        label=label,
                        stage=1 if label is Label.COMPLAINT else None,
                        channel=rng.choice(
                            [Channel.EMAIL, Channel.CHAT, Channel.PHONE, Channel.SLACK]
                        ),
                        received_at=now
                        - timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 1440)),
                        subject=f"About my {words[0]}",
                        summary=f"My {words[0]} and {words[1]} still need a {words[2]} visit",
                        resident_id=resident.id,
                        proposed_label=proposed,
                        proposed_confidence=round(rng.uniform(0.4, 0.99), 2),
                        hazards=hazards,
                        has_hazards=bool(hazards),
                        emergency="gas" in hazards,
                        vulnerability=rng.random() < 0.08,
                        next_deadline=None if status is CaseStatus.CLOSED else deadline,
                        next_deadline_kind="" if status is CaseStatus.CLOSED else "acknowledge",
                    )
                )
            session.add_all(cases)
            session.flush()
            session.add_all(
                CaseStage(
                    case_id=case.id or 0,
                    stage=1,
                    requested_at=case.received_at,
                    day_zero=case.received_at.date(),
                    acknowledge_by=case.next_deadline or today,
                    respond_by=case.next_deadline
                    if case.status is CaseStatus.INVESTIGATING
                    else None,
                )
                for case in cases
                if case.stage == 1
            )
            session.commit()


def timings(client: TestClient, path: str, runs: int) -> tuple[float, float]:
    """Median and 95th percentile, in milliseconds, after a warm-up."""
    for _ in range(3):
        assert client.get(path).status_code == 200
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and "Triage queue" in response.text
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


def measure(url: str, n: int, runs: int, data_dir: Path) -> dict[str, tuple[float, float]]:
    """Fill a store with n cases and time each view of the queue."""
    engine = make_engine(url)
    migrate(engine)
    fill(engine, n)
    settings = Settings(database_url=url, data_dir=data_dir)
    ctx = AppContext.build(settings, engine=engine, classifier_factory=lambda: None)  # type: ignore[arg-type, return-value]
    with Session(engine) as session:
        lead = create_user(
            session=session, email="lead@bench.example", role=Role.TEAM_LEAD, password_hash="x"
        )
        lead.must_change_password = False
        token = start_session(session, ctx, lead)
        session.commit()
    results = {}
    with TestClient(create_app(ctx)) as client:
        client.cookies.set(SESSION_COOKIE, token)
        for name, path in VIEWS.items():
            results[name] = timings(client, path, runs)
    engine.dispose()
    return results


@contextmanager
def sqlite_url(tmp: Path, name: str) -> Iterator[str]:
    yield f"sqlite:///{tmp / name}"


@contextmanager
def postgres_url(admin_url: str) -> Iterator[str]:
    """A throwaway database on the server, dropped afterwards."""
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"intake_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def report(
    backend: str, big: dict[str, tuple[float, float]], small: dict[str, tuple[float, float]], n: int
) -> None:
    print(f"\n{backend}: queue page server time, {n:,} cases vs a 100-case store (same run)")
    print(f"  {'view':<18} {'median ms':>10} {'p95 ms':>9} {'100-case median':>16} {'ratio':>7}")
    for name in VIEWS:
        median, p95 = big[name]
        base = small[name][0]
        print(f"  {name:<18} {median:>10.1f} {p95:>9.1f} {base:>16.1f} {median / base:>6.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument(
        "--postgres", default=os.environ.get("INTAKE_TEST_DATABASE_URL", DEFAULT_PG)
    )
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(
        f"Queue benchmark: {args.cases:,} cases, {args.runs} timed requests per view, page size 50"
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        backends: list[tuple[str, object]] = [("SQLite", lambda name: sqlite_url(tmp_path, name))]
        if not args.no_postgres:
            backends.append(("PostgreSQL", lambda name: postgres_url(args.postgres)))
        for label, make in backends:
            try:
                with make("small.db") as url:  # type: ignore[operator]
                    small = measure(url, 100, args.runs, tmp_path)
                with make("big.db") as url:  # type: ignore[operator]
                    started = time.perf_counter()
                    big = measure(url, args.cases, args.runs, tmp_path)
                    took = time.perf_counter() - started
            except Exception as exc:  # e.g. no PostgreSQL server here
                print(f"\n{label}: skipped ({type(exc).__name__}: {str(exc).splitlines()[0]})")
                continue
            report(label, big, small, args.cases)
            print(f"  (filling and timing took {took:.0f} s)")


if __name__ == "__main__":
    main()
