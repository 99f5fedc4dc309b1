"""Shared fixtures: a database per backend (SQLite always, PostgreSQL when configured), a context."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from intake.context import AppContext
from intake.security import hash_password
from intake.settings import Settings
from store.crud import create_user
from store.db import make_engine, migrate
from store.models import Role, StaffUser
from tests.fakes import FakeClassifier

# The SMTP server and relay fixtures, for every folder (re-exported so pytest finds them).
from tests.mail.servers import relay as relay
from tests.mail.servers import smtp as smtp

os.environ.setdefault("HF_HUB_OFFLINE", "1")
PG_URL = os.environ.get("INTAKE_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgres"] if PG_URL else ["sqlite"]


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, so parallel runs never collide."""
    if not PG_URL:
        pytest.skip("INTAKE_TEST_DATABASE_URL is not set")
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"intake_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate(engine: Engine) -> None:
    tables = [t.name for t in SQLModel.metadata.sorted_tables]
    with engine.begin() as conn:
        conn.execute(
            text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        )


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """Each test that asks for a database runs once per configured backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'intake.db'}"
    url = request.getfixturevalue("pg_database")
    engine = make_engine(url)
    _truncate(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


class Clock:
    """A clock tests can set and move."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    # A Monday in November 2026, 10:00 London (= UTC in winter).
    return Clock(datetime(2026, 11, 16, 10, 0, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path, database_url: str) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(database_url=database_url, data_dir=tmp_path, landlord_name="Test Homes")


@pytest.fixture
def fake_classifier() -> FakeClassifier:
    return FakeClassifier()


@pytest.fixture
def ctx(
    settings: Settings, engine: Engine, clock: Clock, fake_classifier: FakeClassifier
) -> AppContext:
    return AppContext.build(
        settings, engine=engine, clock=clock, classifier_factory=lambda: fake_classifier
    )


@pytest.fixture
def make_user(engine: Engine):  # type: ignore[no-untyped-def]
    def make(
        email: str, role: Role = Role.TEAM_LEAD, password: str = "correct horse battery"
    ) -> StaffUser:
        with Session(engine, expire_on_commit=False) as session:
            user = create_user(
                session=session,
                email=email,
                role=role,
                password_hash=hash_password(password),
                display_name=email.split("@")[0].title(),
            )
            session.commit()
            return user

    return make
