"""The triage queue page: order, row contents, filters, search and paging."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlmodel import Session

from intake.web.queue_data import PAGE_SIZE
from store.models import Case, CaseStatus, Channel, Label, Resident, Role


def _add(session: Session, ctx, **fields) -> Case:  # type: ignore[no-untyped-def]
    values = {
        "channel": Channel.EMAIL,
        "received_at": ctx.clock(),
        "summary": "A message",
        "proposed_label": Label.SERVICE_REQUEST,
        "proposed_confidence": 0.8,
        "next_deadline": date(2026, 11, 23),
        "next_deadline_kind": "acknowledge",
        **fields,
    }
    case = Case(**values)
    session.add(case)
    session.flush()
    return case


def _order(html: str) -> list[str]:
    return re.findall(r'class="ref">(INT-\d+)<', html)


def _signed_in(browser, staff, role: Role = Role.TEAM_LEAD):  # type: ignore[no-untyped-def]
    staff("lead@landlord.example", role)
    b = browser()
    b.sign_in("lead@landlord.example")
    return b


def test_most_urgent_first_overdue_then_hazards_then_nearest_deadline(
    browser, staff, ctx, engine
) -> None:
    today = date(2026, 11, 16)
    with Session(engine) as session:
        later = _add(session, ctx, summary="later", next_deadline=today + timedelta(days=7))
        soon = _add(session, ctx, summary="soon", next_deadline=today + timedelta(days=1))
        hazard = _add(
            session,
            ctx,
            summary="mould",
            hazards=["damp_mould"],
            has_hazards=True,
            next_deadline=today + timedelta(days=8),
        )
        gas = _add(
            session,
            ctx,
            summary="gas",
            hazards=["gas"],
            has_hazards=True,
            emergency=True,
            next_deadline=today + timedelta(days=9),
        )
        overdue = _add(session, ctx, summary="overdue", next_deadline=today - timedelta(days=1))
        closed = _add(session, ctx, summary="closed", status=CaseStatus.CLOSED)
        session.commit()
        expected = [c.reference for c in (overdue, gas, hazard, soon, later)]
        closed_ref = closed.reference
    page = _signed_in(browser, staff).get("/").text
    assert _order(page) == expected
    assert closed_ref not in page
    assert "Overdue by 1 working day" in page and 'class="overdue' in page
    assert "Emergency hazard" in page and "Damp mould" in page


def test_a_row_shows_channel_sender_first_line_proposal_flags_and_days_left(
    browser, staff, ctx, engine
) -> None:
    with Session(engine) as session:
        resident = Resident(name="Mrs Jones", email="jones@example.org")
        session.add(resident)
        session.flush()
        _add(
            session,
            ctx,
            summary="Nobody came about the damp",
            resident_id=resident.id,
            proposed_label=Label.COMPLAINT,
            proposed_confidence=0.83,
            vulnerability=True,
            stage=2,
            possible_exclusions=["over_12_months"],
            next_deadline=date(2026, 11, 16),
        )
        session.commit()
    html = _signed_in(browser, staff).get("/").text
    row = html[html.index("<tbody>") : html.index("</tbody>")]
    for shown in (
        "Email",
        "Mrs Jones",
        "Nobody came about the damp",
        "Complaint",
        "83% sure",
        "Vulnerability",
        "Stage 2",
        "Possible exclusion: over 12 months",
        "Due today",
    ):
        assert shown in row, shown
    assert 'class="due-today' in row


def test_filters_and_search(browser, staff, ctx, engine) -> None:
    with Session(engine) as session:
        resident = Resident(name="Ada Lovelace", email="ada@example.org")
        session.add(resident)
        session.flush()
        complaint = _add(
            session,
            ctx,
            summary="Unhappy about the lift",
            proposed_label=Label.COMPLAINT,
            channel=Channel.CHAT,
            resident_id=resident.id,
            possible_exclusions=["legal_proceedings"],
        )
        repair = _add(session, ctx, summary="Tap 100% broken_", vulnerability=True)
        session.commit()
        c_ref, r_ref, c_id = complaint.reference, repair.reference, complaint.id
    b = _signed_in(browser, staff)
    assert _order(b.get("/?label=complaint").text) == [c_ref]
    assert _order(b.get("/?channel=chat").text) == [c_ref]
    assert _order(b.get("/?flag=vulnerability").text) == [r_ref]
    assert _order(b.get("/?flag=exclusion").text) == [c_ref]
    assert _order(b.get("/?q=lovelace").text) == [c_ref]  # the resident's name
    assert _order(b.get(f"/?q={c_ref}").text) == [c_ref]
    assert _order(b.get("/?q=100%25").text) == [r_ref]  # % is a character, not a wildcard
    assert _order(b.get("/?assignee=none").text) == sorted([c_ref, r_ref])
    assert _order(b.get("/?assignee=me").text) == []
    assert _order(b.get(f"/?status=closed&q={c_id}").text) == []
    assert b.get("/?label=nonsense&page=abc").status_code == 200  # ignored, not an error


def test_paging_keeps_the_filters(browser, staff, ctx, engine) -> None:
    with Session(engine) as session:
        for n in range(PAGE_SIZE + 5):
            _add(session, ctx, summary=f"leak {n}", next_deadline=date(2026, 11, 17) + timedelta(n))
        session.commit()
    b = _signed_in(browser, staff, Role.FRONTLINE)
    first = b.get("/?q=leak").text
    assert len(_order(first)) == PAGE_SIZE and "Page 1 of 2" in first
    assert 'href="/?q=leak&amp;page=2"' in first
    second = b.get("/?q=leak&page=2").text
    assert len(_order(second)) == 5 and "Previous page" in second
    assert "55 cases match" in second
