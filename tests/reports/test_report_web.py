"""The Reports page of the staff web app: who may see it, the picker, and one click to the cases."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from intake.app import create_app
from intake.security import hash_password
from store.crud import create_user
from store.models import Role, format_reference
from tests.reports.store import Known

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PERIOD = "from=2026-11-01&to=2027-01-31"


@pytest.fixture
def accounts(engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        for email, role in (
            ("boss@landlord.example", Role.TEAM_LEAD),
            ("front@landlord.example", Role.FRONTLINE),
        ):
            user = create_user(
                session=session, email=email, role=role, password_hash=hash_password(PASSWORD)
            )
            user.must_change_password = False
        session.commit()


@pytest.fixture
def client(ctx, accounts) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(ctx), base_url="http://127.0.0.1") as test_client:
        test_client.headers["Accept"] = "text/html"
        yield test_client


def sign_in(client: TestClient, email: str) -> None:
    token = CSRF.search(client.get("/login").text)
    assert token
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_reports_are_for_team_leads_only(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/reports?{PERIOD}", follow_redirects=False)
    assert response.status_code == 303 and "/login" in response.headers["location"]
    sign_in(client, "front@landlord.example")
    assert client.get("/reports").status_code == 403
    assert client.get(f"/reports/cases?{PERIOD}&figure=received.stage1").status_code == 403
    assert client.get(f"/reports/download?{PERIOD}&format=csv").status_code == 403
    assert "/reports" not in client.get("/").text  # no Reports link in the navigation


def test_a_lead_sees_the_report_and_the_cases_behind_a_figure(client, known: Known) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "boss@landlord.example")
    response = client.get(f"/reports?{PERIOD}")
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one('nav a[href="/reports"]') is not None
    row = page.select_one('tr[data-key="ack.stage1.on_time"]')
    assert row.select_one('[data-cell="share"]').get_text(strip=True) == "60.0%"
    # Charts are images, so the page's strict Content-Security-Policy still holds.
    alts = [img["alt"] for img in page.select("img.chart")]
    assert len(alts) == 3 and all(
        img["src"].startswith("data:image/svg+xml;base64,") for img in page.select("img.chart")
    )
    assert any("Nov 2026: stage 1 3" in alt for alt in alts)
    link = page.select_one('tr[data-key="response.stage1.late"] a')["href"]
    assert link == f"/reports/cases?{PERIOD}&figure=response.stage1.late"

    cases = BeautifulSoup(client.get(link).text, "html.parser")
    assert cases.h1.get_text() == "Stage 1: later than the Code allows"
    rows = cases.select("#figure-cases tbody tr")
    assert [r.th.get_text(strip=True) for r in rows] == [format_reference(known.c2)]
    assert rows[0].th.a["href"] == f"/cases/{known.c2}"

    listing = client.get(f"/reports/cases.csv?{PERIOD}&figure=ack.stage1.late")
    assert listing.headers["content-disposition"].startswith("attachment;")
    references = {r["reference"] for r in csv.DictReader(io.StringIO(listing.text))}
    assert references == {format_reference(known.c7), format_reference(known.c8)}

    download = client.get(f"/reports/download?{PERIOD}&format=html")
    assert download.status_code == 200 and "<svg" in download.text
    assert (
        'filename="complaints-report-2026-11-01-to-2027-01-31.html"'
        in (download.headers["content-disposition"])
    )


def test_the_picker_offers_quarters_and_years_and_explains_bad_dates(client, known) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "boss@landlord.example")
    # Without a choice: the quarter of today (1 February 2027).
    page = BeautifulSoup(client.get("/reports").text, "html.parser")
    assert page.h1.get_text() == "Complaint performance report: Q4 2026/27 (January to March 2027)"
    options = [o.get_text() for o in page.select("#report-period option")]
    assert "2026/27" in options and "Q3 2026/27 (October to December 2026)" in options
    page = BeautifulSoup(client.get("/reports?period=2026-10-01_2026-12-31").text, "html.parser")
    assert "Q3 2026/27" in page.h1.get_text()
    count = page.select_one('tr[data-key="received.stage1"] [data-cell="number"]')
    assert count.get_text(strip=True) == "4"  # C1, C2, C3 and C8
    bad = client.get("/reports?period=custom&from=2027-02-01&to=2027-01-31")
    assert bad.status_code == 422
    assert "The period ends (31 January 2027) before it starts (1 February 2027)." in bad.text
    missing = client.get(f"/reports/cases?{PERIOD}&figure=no.such.figure")
    assert missing.status_code == 404 and "not in the report" in missing.text
