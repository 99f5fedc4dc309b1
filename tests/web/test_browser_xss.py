"""Message text is never executed: hostile text by email, staff form and API, viewed in Chromium."""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from store.crud import create_api_token
from store.models import Case, StaffUser
from tests.web.live import free_port

pytestmark = pytest.mark.browser

PAYLOADS = (
    "<script>window.__xss='script';alert('script')</script>",
    "<img src=x onerror=\"window.__xss='img';alert('img')\">",
    "<a href=\"javascript:window.__xss='link'\">click here</a>",
    '"><svg onload="window.__xss=\'svg\'">',
    "{{7*7}}{% raw %}",
)
HOSTILE = " ".join(PAYLOADS) + " nobody came and I am unhappy. " + " ".join(PAYLOADS)
# Anything a payload would add to the page if it were not escaped.
INJECTED = "img[src='x'], svg, a[href^='javascript:'], script:not([src])"


def _email(port: int) -> None:
    message = EmailMessage()
    message["From"] = f'"{PAYLOADS[1]}" <resident@example.org>'
    message["To"] = "complaints@landlord.example"
    message["Subject"] = "Complaint " + PAYLOADS[0]
    message["Message-ID"] = "<hostile-1@example.org>"
    message.set_content(HOSTILE)
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.send_message(message)


def _staff_form(page: Page) -> None:
    page.goto("/log")
    page.get_by_label("What they said").fill(HOSTILE)
    page.get_by_label("Resident's name").fill(PAYLOADS[3])
    page.get_by_label("Subject (optional)").fill(PAYLOADS[2])
    page.get_by_role("button", name="Log the message").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))


def _api(base_url: str, token: str) -> None:
    response = httpx.post(
        f"{base_url}/api/messages",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "channel": "other",
            "text": HOSTILE,
            "subject": PAYLOADS[4],
            "resident": {"name": PAYLOADS[0], "email": "api@example.org"},
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text


def _assert_inert(page: Page, dialogs: list[str]) -> None:
    assert page.evaluate("window.__xss") is None, page.url
    assert page.locator(INJECTED).count() == 0, page.url
    assert dialogs == [], page.url


def test_the_detector_itself_catches_an_unescaped_payload(open_page) -> None:
    """A control: the same checks do fire when markup is not escaped (no CSP here)."""
    page = open_page()
    page.set_content(f"<main>{PAYLOADS[1]}</main>")
    page.wait_for_function("window.__xss === 'img'")
    assert page.locator(INJECTED).count() == 1


def test_hostile_text_from_every_channel_is_shown_never_run(
    open_page, staff, ctx, engine, live
) -> None:
    smtp_module = pytest.importorskip("connectors.smtp")
    lead = staff("lead@landlord.example")
    with Session(engine) as session:
        token = create_api_token(session=session, user=session.get(StaffUser, lead.id))
        session.commit()
    ctx.settings.smtp_port = free_port()
    service = smtp_module.SmtpService(ctx)
    try:
        _email(service.port)
    finally:
        service.stop()
    page = open_page("lead@landlord.example")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _staff_form(page)
    _api(live, token)

    for _ in range(100):  # the worker reads all three in the background
        with Session(engine) as session:
            cases = session.exec(select(Case)).all()
            if len(cases) == 3 and all(c.proposal_id for c in cases):
                break
        page.wait_for_timeout(100)
    assert len(cases) == 3 and all(c.proposal_id for c in cases)

    page.goto("/")
    expect(page.locator("table.queue tbody tr")).to_have_count(3)
    expect(page.locator("table.queue")).to_contain_text("<script>window.__xss='script'")
    _assert_inert(page, dialogs)
    page.goto("/?q=" + "%3Cscript%3E")
    _assert_inert(page, dialogs)
    for case in cases:
        page.goto(f"/cases/{case.id}")
        expect(page.locator(".message .body").first).to_contain_text(PAYLOADS[1])
        expect(page.locator("main")).not_to_contain_text("49")  # {{7*7}} is text, not a template
        _assert_inert(page, dialogs)
        for summary in page.locator("details summary").all():
            summary.click()  # unfold quoted text, definition editors and the rest
        _assert_inert(page, dialogs)
        page.get_by_text("The original as received").first.click()
        _assert_inert(page, dialogs)
    first = cases[0]
    page.goto(f"/cases/{first.id}")
    page.get_by_role("radio", name=re.compile("^Complaint")).check()
    page.get_by_role("button", name="Confirm", exact=True).click()
    page.get_by_role("link", name="Acknowledge: preview the letter").click()
    expect(page.locator("#letter-preview")).to_contain_text("<script>")
    _assert_inert(page, dialogs)
