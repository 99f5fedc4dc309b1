"""End to end: an email over SMTP becomes a case in the triage queue of the JSON API."""

from __future__ import annotations

import smtplib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from classifier.model import bundled_model_dir
from intake.app import create_app
from intake.context import AppContext
from intake.worker import drain
from store.crud import create_api_token
from store.models import StaffUser
from tests.mail.servers import email_bytes

COMPLAINT = (
    "I reported the leak in my bathroom ceiling twice in October and nobody came. "
    "I am very unhappy with how this has been handled. Please fix the leak and "
    "explain why nobody turned up."
)


def _queue_has_the_email_as_a_case(ctx, engine, smtp, make_user) -> dict:  # type: ignore[no-untyped-def]
    with smtplib.SMTP("127.0.0.1", smtp.port, timeout=30) as client:
        client.sendmail(
            "jane@example.org",
            ["complaints@landlord.example"],
            email_bytes(subject="Leak in the bathroom", body=COMPLAINT),
        )
    assert drain(ctx) == 1
    user = make_user("lead@landlord.example")
    with Session(engine) as session:
        token = create_api_token(session=session, user=session.get(StaffUser, user.id))
        session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(ctx)) as client:
        queue = client.get("/api/cases", headers=headers).json()
        assert queue["total"] == 1
        [item] = queue["items"]
        detail = client.get(f"/api/cases/{item['id']}", headers=headers).json()
    assert item["channel"] == "email" and item["status"] == "new"
    assert item["deadlines"]["acknowledge_by"] == "2026-11-23"  # 5 working days from Monday
    assert detail["messages"][0]["body_text"].startswith("I reported the leak")
    assert detail["resident"]["email"] == "jane@example.org"
    return {"item": item, "detail": detail}


def test_email_in_case_out_with_label_definition_and_deadline(ctx, engine, smtp, make_user) -> None:
    result = _queue_has_the_email_as_a_case(ctx, engine, smtp, make_user)
    assert result["item"]["label"] == "complaint"
    assert result["detail"]["definition"]["issues"]


def _bundled_model_present() -> bool:
    return (Path(bundled_model_dir()) / "model.safetensors").is_file()


@pytest.fixture
def real_model_ctx(ctx: AppContext) -> AppContext:
    if not _bundled_model_present():
        pytest.skip("the bundled classifier model is not in classifier/bundled/ yet")
    from classifier.model import Classifier

    return AppContext.build(
        ctx.settings, engine=ctx.engine, clock=ctx.clock, classifier_factory=Classifier.load
    )


def test_email_triaged_by_the_real_bundled_model(real_model_ctx, engine, smtp, make_user) -> None:
    result = _queue_has_the_email_as_a_case(real_model_ctx, engine, smtp, make_user)
    item, detail = result["item"], result["detail"]
    assert item["label"] == "complaint"
    assert detail["proposal"]["model_version"] != "fake-1"
    assert detail["definition"]["issues"]
    assert "water_leak" in item["hazards"]
