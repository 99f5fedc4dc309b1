"""Report fixtures: a landlord with 2,000 homes and the store of known cases."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from intake.settings import Settings
from store.crud import create_user
from store.models import Role
from tests.reports.store import Known, build


@pytest.fixture
def settings(tmp_path, database_url: str) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        landlord_name="Test Homes",
        homes_count=2000,
        public_url="http://intake.test",
    )


@pytest.fixture
def known(engine, ctx) -> Known:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as session:
        # These two never sign in, so they need no (slow to hash) password.
        lead, lead2 = (
            create_user(
                session=session,
                email=email,
                role=Role.TEAM_LEAD,
                password_hash="-",
                display_name=email.split("@")[0].title(),
            )
            for email in ("lead@landlord.example", "second@landlord.example")
        )
        session.commit()
        return build(session, ctx, lead, lead2)
