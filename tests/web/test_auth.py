"""Signing in and out, idle expiry, one-time passwords, roles and CSRF on the staff app."""

from __future__ import annotations

from store.models import Role
from tests.web.conftest import PASSWORD


def test_a_request_without_a_session_gets_the_sign_in_page_or_401(browser) -> None:
    b = browser()
    page = b.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/"
    assert "Sign in" in b.get("/").text
    script = b.client.get("/", headers={"Accept": "application/json"}, follow_redirects=False)
    assert script.status_code == 401 and script.json() == {"detail": "Sign in first."}


def test_sign_in_shows_the_queue_and_sign_out_ends_the_session(browser, staff) -> None:
    staff("lead@landlord.example")
    b = browser()
    response = b.sign_in("lead@landlord.example")
    assert response.status_code == 303 and response.headers["location"] == "/"
    queue = b.get("/")
    assert queue.status_code == 200 and "Triage queue" in queue.text
    out = b.post("/logout")
    assert out.status_code == 303
    assert b.get("/", follow_redirects=False).status_code == 303


def test_wrong_password_is_refused_in_plain_english(browser, staff) -> None:
    staff("lead@landlord.example")
    b = browser()
    response = b.sign_in("lead@landlord.example", "wrong password")
    assert response.status_code == 401
    assert "do not match an active account" in response.text
    assert b.get("/", follow_redirects=False).status_code == 303
