"""The JSON API of the contract: tokens, logging a message, the queue, a case, confirming."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from intake.app import create_app
from intake.worker import drain
from store.crud import create_api_token
from store.models import Case, Event, Role, StaffUser


@pytest.fixture
def client(ctx):  # type: ignore[no-untyped-def]
    with TestClient(create_app(ctx)) as test_client:
        yield test_client


@pytest.fixture
def token_for(engine, make_user):  # type: ignore[no-untyped-def]
    def issue(email: str, role: Role = Role.TEAM_LEAD) -> dict[str, str]:
        user = make_user(email, role)
        with Session(engine) as session:
            token = create_api_token(session=session, user=session.get(StaffUser, user.id))
            session.commit()
        return {"Authorization": f"Bearer {token}"}

    return issue


def test_healthz_needs_no_auth_and_reports_the_model(client, ctx) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] is True
    _ = ctx.classifier
    assert client.get("/healthz").status_code == 200


def test_requests_without_a_valid_token_get_401(client) -> None:
    assert client.get("/api/cases").status_code == 401
    response = client.get("/api/cases", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401 and "not valid" in response.json()["detail"]


def test_log_message_then_queue_then_case_then_confirm(client, ctx, token_for) -> None:
    """3.2: staff log what a resident said; it goes through the pipeline into the queue."""
    headers = token_for("lead@landlord.example")
    body = {
        "channel": "phone",
        "text": "Mrs Khan rang: she reported the leak twice and nobody came. She is unhappy and wants it fixed.",
        "received_at": "2026-11-16T09:15:00+00:00",
        "resident": {"name": "Mrs Khan", "phone": "07700 900123"},
    }
    created = client.post("/api/messages", json=body, headers=headers)
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]
    drain(ctx)
    queue = client.get("/api/cases", headers=headers).json()
    [item] = queue["items"]
    assert item["id"] == case_id and item["label"] == "complaint" and item["confirmed"] is False
    assert item["deadlines"]["acknowledge_by"] == "2026-11-23"
    assert {
        "id",
        "label",
        "status",
        "stage",
        "received_at",
        "deadlines",
        "hazards",
        "vulnerability",
    } <= item.keys()
    detail = client.get(f"/api/cases/{case_id}", headers=headers).json()
    assert detail["messages"][0]["body_text"].startswith("Mrs Khan rang")
    assert detail["proposal"]["label"] == "complaint"
    assert detail["resident"]["name"] == "Mrs Khan"
    confirmed = client.post(
        f"/api/cases/{case_id}/confirm",
        json={
            "label": "complaint",
            "definition": {
                "issues": ["Leak reported twice, nobody came"],
                "outcomes": ["Leak fixed"],
            },
        },
        headers=headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "awaiting_acknowledgement"
    assert confirmed.json()["definition"]["issues"] == ["Leak reported twice, nobody came"]
    assert (
        client.get(
            "/api/cases?label=complaint&status=awaiting_acknowledgement", headers=headers
        ).json()["total"]
        == 1
    )
    assert client.get("/api/cases?overdue=true", headers=headers).json()["total"] == 0


def test_frontline_cannot_confirm(client, ctx, token_for) -> None:
    front = token_for("front@landlord.example", Role.FRONTLINE)
    case_id = client.post(
        "/api/messages", json={"channel": "phone", "text": "Broken fence"}, headers=front
    ).json()["case_id"]
    response = client.post(
        f"/api/cases/{case_id}/confirm", json={"label": "service_request"}, headers=front
    )
    assert response.status_code == 403 and "team lead" in response.json()["detail"]


@pytest.mark.parametrize(
    "body,expected",
    [
        ({"channel": "phone", "text": 42}, "text"),
        ({"channel": "carrier pigeon", "text": "hi"}, "channel"),
        ({"channel": "phone", "text": "hi", "colour": "red"}, "'colour' is not a field"),
        ({"channel": "phone"}, "'text' is required"),
        ({"channel": "phone", "text": "x" * 100_001}, "'text' is too long"),
        ({"channel": "phone", "text": "hi", "received_at": "2999-01-01T00:00:00Z"}, "future"),
    ],
)
def test_bad_input_gets_a_plain_4xx_and_nothing_is_written(
    client, engine, token_for, body, expected
) -> None:
    headers = token_for("lead@landlord.example")
    response = client.post("/api/messages", json=body, headers=headers)
    assert 400 <= response.status_code < 500
    assert expected in response.json()["detail"]
    with Session(engine) as session:
        assert session.exec(select(Case)).all() == []


def test_huge_body_is_refused_with_413(client, token_for) -> None:
    headers = token_for("lead@landlord.example")
    response = client.post(
        "/api/messages",
        content=b"{" + b" " * 3_000_000 + b"}",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413 and "too large" in response.json()["detail"]


def test_unknown_case_is_404(client, token_for) -> None:
    headers = token_for("lead@landlord.example")
    response = client.get("/api/cases/999999", headers=headers)
    assert response.status_code == 404 and "no case" in response.json()["detail"]
    assert (
        client.post(
            "/api/cases/999999/confirm", json={"label": "other"}, headers=headers
        ).status_code
        == 404
    )
    assert (
        client.post("/api/cases/abc/confirm", json={"label": "other"}, headers=headers).status_code
        == 422
    )


def test_two_confirmations_at_once_give_one_409(client, ctx, engine, token_for) -> None:
    """Concurrency: one succeeds, the other gets 409; nothing lost, nothing doubled."""
    a = token_for("a@landlord.example")
    b = token_for("b@landlord.example")
    case_id = client.post(
        "/api/messages", json={"channel": "phone", "text": "Nobody came, I am unhappy"}, headers=a
    ).json()["case_id"]
    drain(ctx)
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def confirm(headers: dict[str, str], label: str) -> None:
        barrier.wait()
        codes.append(
            client.post(
                f"/api/cases/{case_id}/confirm", json={"label": label}, headers=headers
            ).status_code
        )

    threads = [
        threading.Thread(target=confirm, args=(a, "complaint")),
        threading.Thread(target=confirm, args=(b, "other")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409]
    with Session(engine) as session:
        kinds = [e.kind for e in session.exec(select(Event).where(Event.case_id == case_id)).all()]
        assert len([k for k in kinds if k in ("confirmed", "label_corrected")]) == 1


def test_stale_version_gets_409(client, ctx, token_for) -> None:
    headers = token_for("lead@landlord.example")
    case_id = client.post(
        "/api/messages", json={"channel": "phone", "text": "Broken window"}, headers=headers
    ).json()["case_id"]
    drain(ctx)
    version = client.get(f"/api/cases/{case_id}", headers=headers).json()["version"]
    response = client.post(
        f"/api/cases/{case_id}/confirm",
        json={"label": "service_request", "version": version - 1},
        headers=headers,
    )
    assert response.status_code == 409 and "changed by someone else" in response.json()["detail"]


def test_openapi_is_served(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/messages",
        "/api/cases",
        "/api/cases/{case_id}",
        "/api/cases/{case_id}/confirm",
        "/healthz",
    } <= paths.keys()


def test_staff_can_log_an_email_a_resident_sent_them(client, ctx, token_for) -> None:
    """A resident emailed an officer directly; the officer logs it with channel 'email'."""
    headers = token_for("lead@landlord.example")
    body = {
        "channel": "email",
        "text": "Nobody came to fix the boiler, I am unhappy.",
        "received_at": "2026-11-13T16:00:00+00:00",
    }
    case_id = client.post("/api/messages", json=body, headers=headers).json()["case_id"]
    drain(ctx)
    detail = client.get(f"/api/cases/{case_id}", headers=headers).json()
    assert detail["proposed_label"] == "complaint"
    assert detail["received_at"].startswith("2026-11-13T16:00")
    assert detail["messages"][0]["body_text"] == body["text"]
