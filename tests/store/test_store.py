"""The store: migrations match the models, SQLite durability settings, and conflict detection."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel, select

from intake.workflow import ConflictError, confirm
from store.models import Case, Event, Label, Role
from tests.intake.helpers import new_case, staff


def test_migrations_match_the_models(engine) -> None:
    """Alembic's head creates exactly the tables and columns the models declare."""
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_sqlite_is_durable(engine) -> None:
    """WAL mode, synchronous=FULL and a busy timeout on every connection."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_two_sessions_confirming_at_once_one_wins_one_conflicts(engine, ctx, make_user) -> None:
    """Two people confirm the same case at the same moment: one succeeds, one gets a conflict."""
    lead = make_user("a@landlord.example", Role.TEAM_LEAD)
    other = make_user("b@landlord.example", Role.TEAM_LEAD)
    with Session(engine) as setup:
        case_id = new_case(setup, ctx).id
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def attempt(name: str, user, label: Label) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            with Session(engine) as session:
                case = session.get(Case, case_id)
                confirm(session, ctx, case, staff(user), label=label)
                session.commit()
            outcomes[name] = "ok"
        except (ConflictError, StaleDataError) as exc:
            outcomes[name] = f"conflict: {exc}"

    threads = [
        threading.Thread(target=attempt, args=("a", lead, Label.COMPLAINT)),
        threading.Thread(target=attempt, args=("b", other, Label.SERVICE_REQUEST)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(v.split(":")[0] for v in outcomes.values()) == ["conflict", "ok"]
    winner = "a" if outcomes["a"] == "ok" else "b"
    with Session(engine) as check:
        case = check.get(Case, case_id)
        assert case.label is (Label.COMPLAINT if winner == "a" else Label.SERVICE_REQUEST)
        assert case.version > 1
        events = check.exec(select(Event).where(Event.case_id == case_id)).all()
        assert len([e for e in events if e.kind in ("confirmed", "label_corrected")]) == 1


def test_postgres_interleaved_writers_hit_the_version_check(engine, ctx, make_user) -> None:
    """On PostgreSQL two open sessions really interleave: the version column refuses the second."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN, so this interleaving cannot happen there")
    make_user("a@landlord.example", Role.TEAM_LEAD)
    with Session(engine) as setup:
        case_id = new_case(setup, ctx).id
    with Session(engine) as first, Session(engine) as second:
        case_a, case_b = first.get(Case, case_id), second.get(Case, case_id)
        case_a.category = "repairs"
        case_b.category = "staff conduct"
        first.commit()
        with pytest.raises(StaleDataError):
            second.commit()
    with Session(engine) as check:
        assert check.get(Case, case_id).category == "repairs"


def test_stale_version_from_a_form_is_refused(engine, ctx, make_user) -> None:
    lead = make_user("a@landlord.example", Role.TEAM_LEAD)
    with Session(engine) as session:
        case = new_case(session, ctx)
        with pytest.raises(ConflictError, match="changed by someone else"):
            confirm(
                session,
                ctx,
                case,
                staff(lead),
                label=Label.COMPLAINT,
                expected_version=case.version - 1 or 99,
            )


def test_concurrent_writers_on_threads_lose_nothing(engine, ctx) -> None:
    """Many threads adding cases at once: every one is stored (busy timeout, no lost writes)."""
    errors: list[BaseException] = []

    def add(n: int) -> None:
        try:
            with Session(engine) as session:
                new_case(session, ctx, email=f"r{n}@example.org")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(engine) as session:
        assert len(session.exec(select(Case)).all()) == 20
