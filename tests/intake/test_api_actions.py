"""The whole Code workflow through the JSON API: both stages, extension, refusal, adjustments."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from intake.app import create_app
from intake.worker import drain
from intake.workflow import Actor, add_adjustment, review_adjustment
from store.crud import create_api_token
from store.models import Case, ReasonableAdjustment, Role, StaffUser


@pytest.fixture
def client(ctx):  # type: ignore[no-untyped-def]
    with TestClient(create_app(ctx)) as test_client:
        yield test_client


@pytest.fixture
def lead(engine, make_user):  # type: ignore[no-untyped-def]
    user = make_user("lead@landlord.example", Role.TEAM_LEAD)
    with Session(engine) as session:
        token = create_api_token(session=session, user=session.get(StaffUser, user.id))
        session.commit()
    return user, {"Authorization": f"Bearer {token}"}


def open_complaint(client, ctx, headers) -> int:  # type: ignore[no-untyped-def]
    case_id = client.post(
        "/api/messages",
        json={
            "channel": "phone",
            "text": "Nobody came about the leak, I am unhappy. Please fix it.",
        },
        headers=headers,
    ).json()["case_id"]
    drain(ctx)
    assert (
        client.post(
            f"/api/cases/{case_id}/confirm", json={"label": "complaint"}, headers=headers
        ).status_code
        == 200
    )
    return case_id


def test_both_stages_through_the_api(client, ctx, engine, make_user, lead) -> None:
    """6.2-6.19 end to end; 6.13 stage 2 by someone else."""
    user, headers = lead
    second = make_user("second@landlord.example", Role.TEAM_LEAD)
    case_id = open_complaint(client, ctx, headers)
    r = client.post(f"/api/cases/{case_id}/acknowledge", json={}, headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "investigating"
    assert r.json()["deadlines"]["respond_by"] == "2026-11-30"
    r = client.post(
        f"/api/cases/{case_id}/extend",
        json={"new_date": "2026-12-31", "reason": "Surveyor"},
        headers=headers,
    )
    assert r.status_code == 422 and "at most 10 working days" in r.json()["detail"]
    r = client.post(
        f"/api/cases/{case_id}/extend",
        json={"new_date": "2026-12-07", "reason": "Waiting for the surveyor"},
        headers=headers,
    )
    assert r.status_code == 200 and r.json()["deadlines"]["respond_by"] == "2026-12-07"
    r = client.post(
        f"/api/cases/{case_id}/respond",
        json={"decision": "not_upheld", "reasons": "The visit was made on time."},
        headers=headers,
    )
    assert r.status_code == 200 and r.json()["status"] == "responded"
    r = client.post(f"/api/cases/{case_id}/escalate", json={}, headers=headers)
    assert r.status_code == 200 and r.json()["stage"] == 2
    r = client.post(f"/api/cases/{case_id}/assign", json={"assignee_id": user.id}, headers=headers)
    assert r.status_code == 422 and "6.13" in r.json()["detail"]
    r = client.post(
        f"/api/cases/{case_id}/assign", json={"assignee_id": second.id}, headers=headers
    )
    assert r.status_code == 200
    letters = [m for m in r.json()["messages"] if m["direction"] == "out"]
    assert [m["letter"] for m in letters] == ["acknowledgement", "extension", "stage_response"]


def test_refusal_and_wrong_state_through_the_api(client, ctx, lead) -> None:
    _, headers = lead
    case_id = open_complaint(client, ctx, headers)
    r = client.post(
        f"/api/cases/{case_id}/respond",
        json={"decision": "upheld", "reasons": "x"},
        headers=headers,
    )
    assert r.status_code == 409 and "cannot be given a response now" in r.json()["detail"]
    r = client.post(
        f"/api/cases/{case_id}/refuse",
        json={"ground": "legal_proceedings", "reason": "Claim filed at court"},
        headers=headers,
    )
    assert r.status_code == 200 and r.json()["status"] == "refused"
    assert r.json()["exclusions"][0]["ground"] == "legal_proceedings"
    r = client.post(
        f"/api/cases/{case_id}/notes",
        json={"text": "Told the resident by phone too."},
        headers=headers,
    )
    assert "Told the resident by phone too." in [e["summary"] for e in r.json()["events"]]


def test_5_10_adjustments_are_recorded_and_reviewed(engine, ctx, make_user) -> None:
    lead = make_user("lead@landlord.example", Role.TEAM_LEAD)
    from tests.intake.helpers import new_case

    with Session(engine) as session:
        case = new_case(session, ctx)
        adjustment = add_adjustment(
            session,
            ctx,
            case,
            Actor.staff(lead),
            description="Large print letters",
            review_on=date(2027, 5, 1),
        )
        session.commit()
        review_adjustment(
            session,
            ctx,
            case,
            Actor.staff(lead),
            adjustment.id,
            keep=True,
            next_review_on=date(2027, 11, 1),
        )
        session.commit()
        stored = session.get(ReasonableAdjustment, adjustment.id)
        assert (
            stored.active
            and stored.review_on == date(2027, 11, 1)
            and stored.last_reviewed_at is not None
        )
        assert session.get(Case, case.id).version > 1
