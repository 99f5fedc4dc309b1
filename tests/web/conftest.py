"""Fixtures for the staff web app: accounts that can sign in, and a client per person."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from intake.app import create_app
from intake.context import AppContext
from intake.security import hash_password
from store.crud import create_user
from store.models import Role, StaffUser
from tests.web.live import running_server

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def staff(engine) -> Callable[..., StaffUser]:  # type: ignore[no-untyped-def]
    """Make an account that has already chosen its own password."""

    def make(email: str, role: Role = Role.TEAM_LEAD, *, must_change: bool = False) -> StaffUser:
        with Session(engine, expire_on_commit=False) as session:
            user = create_user(
                session=session,
                email=email,
                role=role,
                password_hash=hash_password(PASSWORD),
                display_name=email.split("@")[0].replace(".", " ").title(),
            )
            user.must_change_password = must_change
            session.commit()
            return user

    return make


@pytest.fixture
def app(ctx: AppContext):  # type: ignore[no-untyped-def]
    return create_app(ctx)


class Browser:
    """A TestClient that behaves like a browser: asks for HTML and keeps its cookies."""

    def __init__(self, client: TestClient):
        self.client = client
        self.client.headers["Accept"] = "text/html,application/xhtml+xml"

    def sign_in(self, email: str, password: str = PASSWORD) -> object:
        page = self.client.get("/login")
        token = csrf_of(page.text)
        return self.client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token},
            follow_redirects=False,
        )

    def csrf(self, path: str = "/") -> str:
        return csrf_of(self.client.get(path).text)

    def post(self, path: str, data: dict[str, object] | None = None, **kwargs):  # type: ignore[no-untyped-def]
        """Post a form from `path`'s own page, with its CSRF token."""
        form = {"csrf_token": self.csrf(kwargs.pop("page", "/")), **(data or {})}
        return self.client.post(
            path, data=form, follow_redirects=kwargs.pop("follow", False), **kwargs
        )

    def get(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.client.get(path, **kwargs)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def browser(app) -> Iterator[Callable[[], Browser]]:  # type: ignore[no-untyped-def]
    """browser() opens a fresh 'browser' with its own cookie jar."""
    clients: list[TestClient] = []

    def open_browser() -> Browser:
        client = TestClient(app, base_url="http://127.0.0.1")
        client.__enter__()
        clients.append(client)
        return Browser(client)

    yield open_browser
    for client in clients:
        client.__exit__(None, None, None)


# --- real browser ----------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def chromium():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright; one per test module to keep the suite fast."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium package is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live(ctx: AppContext) -> Iterator[str]:
    """The whole app on a free loopback port, with a worker; the base URL."""
    with running_server(ctx) as base_url:
        yield base_url


@pytest.fixture
def open_page(chromium, live: str):  # type: ignore[no-untyped-def]
    """open_page(email) -> a page in a fresh browser context, signed in as that person."""
    contexts = []

    def open_for(email: str | None = None, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        context = chromium.new_context(base_url=live, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        if email is not None:
            page.goto("/login")
            page.get_by_label("Email address").fill(email)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/login" not in url)
        return page

    yield open_for
    for context in contexts:
        context.close()
