"""The Problems page: quarantined messages and failed letters are visible to team leads and retried."""

from __future__ import annotations

from sqlmodel import Session

from store.crud import enqueue_inbound
from store.models import Channel, Inbound, InboundStatus, Role


def _quarantined(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        row = enqueue_inbound(
            session=session,
            channel=Channel.EMAIL,
            raw=b"From: <someone@example.org>\r\nSubject: Broken <b>mime</b>\r\n\r\nbody",
        )
        row.status = InboundStatus.QUARANTINED
        row.attempts = 5
        row.failed_step = "parse"
        row.last_error = "ValueError: the message nests parts 1,000 deep"
        session.commit()
        return row.id


def test_team_lead_sees_a_quarantined_message_and_puts_it_back(browser, staff, engine) -> None:
    inbound_id = _quarantined(engine)
    staff("lead@landlord.example", Role.TEAM_LEAD)
    b = browser()
    b.sign_in("lead@landlord.example")
    page = b.get("/problems")
    assert page.status_code == 200
    assert "nests parts 1,000 deep" in page.text and "at the parse step" in page.text
    assert "Broken &lt;b&gt;mime&lt;/b&gt;" in page.text  # shown as text, never markup
    assert 'href="/problems"' in b.get("/").text  # in the navigation
    done = b.post(f"/problems/messages/{inbound_id}/retry", page="/problems", follow=True)
    assert "back in the queue" in done.text
    with Session(engine) as session:
        row = session.get(Inbound, inbound_id)
        assert row.status is InboundStatus.QUEUED and row.attempts == 0
    again = b.post(f"/problems/messages/{inbound_id}/retry", page="/problems", follow=True)
    assert "not in quarantine" in again.text


def test_frontline_cannot_see_or_retry_problems(browser, staff, engine) -> None:
    inbound_id = _quarantined(engine)
    staff("front@landlord.example", Role.FRONTLINE)
    b = browser()
    b.sign_in("front@landlord.example")
    assert b.get("/problems").status_code == 403
    assert 'href="/problems"' not in b.get("/").text
    assert b.post(f"/problems/messages/{inbound_id}/retry", page="/").status_code == 403
    with Session(engine) as session:
        assert session.get(Inbound, inbound_id).status is InboundStatus.QUARANTINED


def test_retry_without_the_form_token_is_refused(browser, staff, engine) -> None:
    inbound_id = _quarantined(engine)
    staff("lead@landlord.example", Role.TEAM_LEAD)
    b = browser()
    b.sign_in("lead@landlord.example")
    response = b.client.post(
        f"/problems/messages/{inbound_id}/retry", data={}, follow_redirects=False
    )
    assert response.status_code in (400, 403)
    with Session(engine) as session:
        assert session.get(Inbound, inbound_id).status is InboundStatus.QUARANTINED
