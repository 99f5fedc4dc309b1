"""Signing in and out, idle expiry, one-time passwords, roles and CSRF on the staff app."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from intake.app import create_app
from intake.web.routes import ROUTERS
from store.models import Case, Role, SignInFailure
from tests.web.conftest import PASSWORD, Browser


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


def test_sessions_expire_after_idle_time(browser, staff, clock, ctx) -> None:
    staff("lead@landlord.example")
    b = browser()
    b.sign_in("lead@landlord.example")
    clock.advance(minutes=ctx.settings.session_idle_minutes - 1)
    assert b.get("/", follow_redirects=False).status_code == 200  # activity resets the clock
    clock.advance(minutes=ctx.settings.session_idle_minutes - 1)
    assert b.get("/", follow_redirects=False).status_code == 200
    clock.advance(minutes=ctx.settings.session_idle_minutes + 1)
    response = b.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert response.headers["location"].endswith("&expired=1")
    assert "because you were away for a while" in b.get(response.headers["location"]).text


def test_sessions_end_after_the_maximum_lifetime_however_active(browser, staff, clock, ctx) -> None:
    staff("lead@landlord.example")
    b = browser()
    b.sign_in("lead@landlord.example")
    for _ in range(ctx.settings.session_max_hours * 3 + 1):
        clock.advance(minutes=20)
        b.get("/")
    assert b.get("/", follow_redirects=False).status_code == 303


def test_a_one_time_password_must_be_changed_first(browser, staff) -> None:
    staff("new@landlord.example", Role.FRONTLINE, must_change=True)
    b = browser()
    response = b.sign_in("new@landlord.example")
    assert response.headers["location"] == "/account/password"
    assert b.get("/", follow_redirects=False).headers["location"] == "/account/password"
    short = b.post(
        "/account/password",
        {"current": PASSWORD, "new": "short", "again": "short"},
        page="/account/password",
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    new = "a much longer passphrase"
    done = b.post(
        "/account/password",
        {"current": PASSWORD, "new": new, "again": new},
        page="/account/password",
    )
    assert done.status_code == 303
    assert b.get("/", follow_redirects=False).status_code == 200
    other = browser()
    assert other.sign_in("new@landlord.example").status_code == 401  # the old one is gone
    assert other.sign_in("new@landlord.example", new).status_code == 303


def test_repeated_wrong_passwords_lock_the_account_for_a_while(browser, staff, clock) -> None:
    staff("lead@landlord.example")
    b = browser()
    for _ in range(5):
        assert b.sign_in("lead@landlord.example", "guess").status_code == 401
    locked = b.sign_in("lead@landlord.example")
    assert locked.status_code == 429 and "Try again in" in locked.text
    clock.advance(minutes=16)
    assert b.sign_in("lead@landlord.example").status_code == 303


def test_the_lock_holds_after_a_restart_and_in_other_workers(ctx, staff, clock) -> None:
    staff("lead@landlord.example")
    with TestClient(create_app(ctx), base_url="http://127.0.0.1") as client:
        first = Browser(client)
        for _ in range(5):
            assert first.sign_in("Lead@Landlord.example ", "guess").status_code == 401
    # A second app on the same database: another worker process, or the same one restarted.
    with TestClient(create_app(ctx), base_url="http://127.0.0.1") as client:
        second = Browser(client)
        assert second.sign_in("lead@landlord.example").status_code == 429
        clock.advance(minutes=16)
        assert second.sign_in("lead@landlord.example").status_code == 303
    with Session(ctx.engine) as session:  # the right password cleared the record
        assert session.exec(select(SignInFailure)).all() == []


def test_old_failures_are_forgotten(ctx, staff, clock) -> None:
    with TestClient(create_app(ctx), base_url="http://127.0.0.1") as client:
        b = Browser(client)
        for n in range(3):
            assert b.sign_in(f"nobody{n}@example.com", "guess").status_code == 401
        clock.advance(minutes=16)
        assert b.sign_in("someone@example.com", "guess").status_code == 401
    with Session(ctx.engine) as session:  # no table that grows for ever under password spraying
        assert [f.email for f in session.exec(select(SignInFailure))] == ["someone@example.com"]


def test_every_state_changing_form_needs_the_session_csrf_token(
    browser, staff, ctx, engine
) -> None:
    """Every POST route of the staff app refuses a request without this session's token."""
    staff("admin@landlord.example", Role.ADMIN)
    b = browser()
    b.sign_in("admin@landlord.example")
    other = browser()
    other.sign_in("admin@landlord.example")
    foreign_token = other.csrf()
    posts = sorted(
        {
            route.path.replace("{case_id}", "1").replace("{name}", "note").replace("{user_id}", "1")
            for router in ROUTERS
            for route in router.routes
            if "POST" in getattr(route, "methods", set()) and route.path != "/login"
        }
    )
    assert "/log" in posts and "/cases/1/actions/note" in posts and "/admin/users" in posts
    for path in posts:
        for data in ({}, {"csrf_token": "forged"}, {"csrf_token": foreign_token}):
            response = b.client.post(path, data={**data, "text": "x"}, follow_redirects=False)
            assert response.status_code == 403, (path, data, response.status_code)
            assert "Nothing was changed" in response.text
    with Session(engine) as session:
        assert session.exec(select(Case)).first() is None  # /log created nothing


def test_the_sign_in_form_is_protected_too(browser, staff) -> None:
    staff("lead@landlord.example")
    b = browser()
    response = b.client.post(
        "/login",
        data={"email": "lead@landlord.example", "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403 and "expired" in response.text


def test_every_html_response_sends_a_strict_csp(browser, staff, ctx) -> None:
    staff("admin@landlord.example", Role.ADMIN)
    b = browser()
    pages = ["/login", "/nowhere"]
    anonymous = [b.get(p) for p in pages]
    b.sign_in("admin@landlord.example")
    signed_in = [b.get(p) for p in ("/", "/log", "/admin/users", "/account/password", "/cases/9")]
    docs = b.get("/api/docs")  # FastAPI's own page gets a policy too, a narrower allowance
    assert (
        docs.status_code == 200
        and "frame-ancestors 'none'" in docs.headers["content-security-policy"]
    )
    for response in anonymous + signed_in:
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, response.url
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
    assert all(r.headers["content-type"].startswith("text/html") for r in signed_in)


def test_next_only_goes_to_this_site(browser, staff) -> None:
    staff("lead@landlord.example")
    b = browser()
    b.get("/login?next=//evil.example/")
    response = b.client.post(
        "/login",
        data={
            "email": "lead@landlord.example",
            "password": PASSWORD,
            "csrf_token": b.csrf("/login"),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"
