"""Report fixtures: a landlord with 2,000 homes and the store of known cases."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from intake.settings import Settings
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
def known(engine, ctx, make_user) -> Known:  # type: ignore[no-untyped-def]
    lead = make_user("lead@landlord.example", Role.TEAM_LEAD)
    lead2 = make_user("second@landlord.example", Role.TEAM_LEAD)
    with Session(engine, expire_on_commit=False) as session:
        return build(session, ctx, lead, lead2)
