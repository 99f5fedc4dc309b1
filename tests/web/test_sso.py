"""Single sign-on with OpenID Connect against a provider on loopback (standing in for Entra ID)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect
from pydantic import SecretStr
from sqlmodel import Session

from intake.app import create_app
from intake.context import AppContext
from store.crud import get_user_by_email
from store.models import Role
from tests.web.fake_idp import CLIENT_ID, CLIENT_SECRET, FakeIdP, running_idp


@pytest.fixture
def idp(ctx: AppContext) -> Iterator[FakeIdP]:
    with running_idp() as provider:
        ctx.settings.oidc_issuer = provider.url
        ctx.settings.oidc_client_id = CLIENT_ID
        ctx.settings.oidc_client_secret = SecretStr(CLIENT_SECRET)
        yield provider


@pytest.fixture
def app(ctx: AppContext, idp: FakeIdP):  # type: ignore[no-untyped-def]
    """The app, built after single sign-on is configured."""
    return create_app(ctx)


def _sso(b, next_path: str = "/"):  # type: ignore[no-untyped-def]
    """Click the button, let the provider sign the person in, and come back."""
    start = b.get(f"/login/sso?next={next_path}", follow_redirects=False)
    assert start.status_code == 303
    at_provider = httpx.get(start.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["location"])
    return b.get(f"{back.path}?{back.query}", follow_redirects=False)


def test_the_sign_in_page_offers_single_sign_on(browser, idp) -> None:
    assert "Sign in with Microsoft" in browser().get("/login").text


def test_an_account_an_admin_added_signs_in_and_its_subject_is_bound(
    browser, staff, idp, engine
) -> None:
    staff("lead@landlord.example", Role.TEAM_LEAD, must_change=True)
    b = browser()
    response = _sso(b, "/log")
    assert response.status_code == 303 and response.headers["location"] == "/log"
    page = b.get("/", follow_redirects=False)
    assert page.status_code == 200  # no local password to change after single sign-on
    with Session(engine) as session:
        assert get_user_by_email(session=session, email="lead@landlord.example").oidc_subject == (
            "subject-1"
        )
    idp.next_claims = {"sub": "subject-1", "email": "renamed@landlord.example"}
    assert _sso(browser()).headers["location"] == "/"  # the bound subject, whatever the email


def test_people_without_an_active_account_are_refused(browser, staff, idp, engine) -> None:
    idp.next_claims = {"sub": "stranger", "email": "stranger@elsewhere.example"}
    refused = _sso(browser())
    assert refused.status_code == 401
    assert "no Intake account for stranger@elsewhere.example" in refused.text
    lead = staff("lead@landlord.example")
    with Session(engine) as session:
        user = session.get(type(lead), lead.id)
        user.is_active = False
        session.commit()
    idp.next_claims = {"sub": "subject-1", "preferred_username": "lead@landlord.example"}
    disabled = _sso(browser())
    assert disabled.status_code == 401 and "disabled" in disabled.text


@pytest.mark.parametrize(
    "tamper", [{"aud": "another-app"}, {"nonce": "replayed"}, {"iss": "http://evil.example"}]
)
def test_tokens_meant_for_something_else_are_refused(browser, staff, idp, tamper) -> None:
    staff("lead@landlord.example")
    idp.tamper = tamper
    b = browser()
    response = _sso(b)
    assert response.status_code == 401 and "could not be verified" in response.text
    assert b.get("/", follow_redirects=False).status_code == 303


def test_a_callback_that_did_not_start_in_this_browser_is_refused(browser, staff, idp) -> None:
    staff("lead@landlord.example")
    victim, attacker = browser(), browser()
    start = attacker.get("/login/sso", follow_redirects=False)
    back = urlsplit(httpx.get(start.headers["location"]).headers["location"])
    forced = victim.get(f"{back.path}?{back.query}", follow_redirects=False)  # login CSRF
    assert forced.status_code == 401 and "did not start here" in forced.text
    assert victim.get("/", follow_redirects=False).status_code == 303


@pytest.mark.browser
def test_single_sign_on_in_the_browser(chromium, ctx, idp, staff) -> None:
    from tests.web.live import running_server

    staff("lead@landlord.example")
    with running_server(ctx) as base_url:
        context = chromium.new_context(base_url=base_url)
        try:
            page = context.new_page()
            page.goto("/")
            page.get_by_role("link", name="Sign in with Microsoft").click()
            expect(page.get_by_role("heading", name="Triage queue")).to_be_visible()
            expect(
                page.get_by_text("lead@landlord.example").or_(page.get_by_text("Lead"))
            ).not_to_have_count(0)
        finally:
            context.close()
