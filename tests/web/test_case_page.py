"""The case page and every workflow action, driven through the forms as a browser would."""

from __future__ import annotations

from sqlmodel import Session, col, select

from store.models import (
    Case,
    CaseLink,
    CaseStatus,
    Event,
    Label,
    Message,
    OutstandingAction,
    ReasonableAdjustment,
    Role,
)
from tests.web.helpers import act, log_message, version_of

COMPLAINT = "I reported the leak twice and nobody came. I am unhappy and want it fixed."
REPAIR = "The kitchen tap is broken, please repair it."
DEFINITION = {"issues": "Leak reported twice, nobody came", "outcomes": "Leak fixed"}


def _case(engine, case_id: int) -> Case:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as session:
        return session.get(Case, case_id)


def _events(engine, case_id: int) -> list[Event]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(Event).where(Event.case_id == case_id)).all())


def _lead(browser, staff, email: str = "lead@landlord.example"):  # type: ignore[no-untyped-def]
    staff(email)
    b = browser()
    b.sign_in(email)
    return b


def test_the_page_shows_message_proposal_evidence_and_deadline(browser, staff, ctx) -> None:
    b = _lead(browser, staff)
    case_id = log_message(b, ctx, COMPLAINT, resident_name="Mrs Khan")
    page = b.get(f"/cases/{case_id}").text
    assert "I reported the leak twice and nobody came." in page
    assert "Why Intake proposed this" in page and "Expresses dissatisfaction" in page
    assert "Complaint: 90%" in page and 'id="provision">1.2' in page
    assert "acknowledge by Mon 23 Nov 2026" in page and "5 working days left" in page
    assert "Mrs Khan" in page


def test_a_changed_label_is_confirmed_and_recorded_as_a_correction(
    browser, staff, ctx, engine
) -> None:
    b = _lead(browser, staff)
    case_id = log_message(b, ctx, COMPLAINT)
    response = act(b, engine, case_id, "confirm", {"label": "service_request"})
    assert response.status_code == 303
    case = _case(engine, case_id)
    assert case.label is Label.SERVICE_REQUEST and case.status is CaseStatus.OPEN
    corrected = [e for e in _events(engine, case_id) if e.kind == "label_corrected"]
    assert corrected and "proposal was complaint" in corrected[0].summary
    assert "Confirmed INT-" in b.get(f"/cases/{case_id}").text  # the flash message


def test_a_complaint_without_a_definition_is_refused_and_the_typing_kept(
    browser, staff, ctx, engine
) -> None:
    b = _lead(browser, staff)
    case_id = log_message(b, ctx, REPAIR)
    response = act(
        b, engine, case_id, "confirm", {"label": "complaint", "issues": "", "outcomes": "New tap"}
    )
    assert response.status_code == 422
    assert "A complaint needs a definition" in response.text
    assert ">New tap</textarea>" in response.text
    assert _case(engine, case_id).status is CaseStatus.NEW


def test_a_complaint_through_both_stages(browser, staff, ctx, engine, clock) -> None:
    """Confirm, acknowledge (preview then send), extend, respond, close, escalate, reassign."""
    b = _lead(browser, staff)
    other = staff("second@landlord.example")
    case_id = log_message(b, ctx, COMPLAINT)
    assert (
        act(b, engine, case_id, "confirm", {"label": "complaint", **DEFINITION}).status_code == 303
    )

    preview = b.get(f"/cases/{case_id}/acknowledge")
    assert preview.status_code == 200 and "Leak reported twice, nobody came" in preview.text
    assert "Monday 30 November 2026" in preview.text  # 10 working days from today
    assert _case(engine, case_id).status is CaseStatus.AWAITING_ACKNOWLEDGEMENT  # not sent yet
    assert act(b, engine, case_id, "acknowledge").status_code == 303
    page = b.get(f"/cases/{case_id}").text
    assert 'id="respond-by">Mon 30 Nov 2026' in page and "acknowledgement letter" in page

    no_reason = act(b, engine, case_id, "extend", {"new_date": "2026-12-04", "reason": ""})
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    too_far = act(b, engine, case_id, "extend", {"new_date": "2027-01-29", "reason": "Survey"})
    assert too_far.status_code == 422 and "at most 10 working days" in too_far.text
    ok = act(b, engine, case_id, "extend", {"new_date": "2026-12-04", "reason": "Damp survey"})
    assert ok.status_code == 303
    assert _case(engine, case_id).next_deadline.isoformat() == "2026-12-04"

    responded = act(
        b,
        engine,
        case_id,
        "respond",
        {
            "decision": "upheld",
            "reasons": "The repair was missed twice.",
            "remedy": "Apology",
            "compensation": "75.50",
            "action_1": "Replace the pipe",
            "action_1_due": "2026-12-10",
        },
    )
    assert responded.status_code == 303
    case = _case(engine, case_id)
    assert case.status is CaseStatus.RESPONDED and case.compensation_pence == 7550
    blocked = act(b, engine, case_id, "close", {"outcome": "upheld"})
    assert blocked.status_code == 422 and "still outstanding" in blocked.text
    page = b.get(f"/cases/{case_id}").text
    assert "Mark a promised action done" in page
    with Session(engine) as session:
        action = session.exec(
            select(OutstandingAction).where(OutstandingAction.case_id == case_id)
        ).one()
    done = b.post(
        f"/cases/{case_id}/actions/complete-action",
        {"action_id": str(action.id)},
        page=f"/cases/{case_id}",
    )
    assert done.status_code == 303
    assert act(b, engine, case_id, "close", {"outcome": "upheld"}).status_code == 303
    assert _case(engine, case_id).status is CaseStatus.CLOSED

    escalated = act(b, engine, case_id, "escalate", {"requested_on": "2026-11-16", "reason": ""})
    assert escalated.status_code == 303
    case = _case(engine, case_id)
    assert case.stage == 2 and case.status is CaseStatus.AWAITING_ACKNOWLEDGEMENT
    stage1_handler = case.stage1_handler_id
    same = act(b, engine, case_id, "assign", {"assignee_id": str(stage1_handler)})
    assert same.status_code == 422 and "6.13" in same.text
    mine = act(b, engine, case_id, "acknowledge")
    assert mine.status_code == 422 and "someone else must handle stage 2" in mine.text
    assert act(b, engine, case_id, "assign", {"assignee_id": str(other.id)}).status_code == 303
    assert _case(engine, case_id).stage2_handler_id == other.id


def test_refusing_needs_a_reason_and_files_the_ombudsman_letter(
    browser, staff, ctx, engine
) -> None:
    b = _lead(browser, staff)
    case_id = log_message(b, ctx, COMPLAINT)
    blank = act(b, engine, case_id, "refuse", {"ground": "legal_proceedings", "reason": " "})
    assert blank.status_code == 422 and "Ombudsman" in blank.text
    ok = act(
        b, engine, case_id, "refuse", {"ground": "legal_proceedings", "reason": "Claim filed."}
    )
    assert ok.status_code == 303
    assert _case(engine, case_id).status is CaseStatus.REFUSED
    with Session(engine) as session:
        letters = session.exec(
            select(Message).where(Message.case_id == case_id, Message.letter == "refusal")
        ).all()
    assert len(letters) == 1 and "0300 111 3000" in letters[0].body_text


def test_linking_a_complaint_to_its_service_request(browser, staff, ctx, engine) -> None:
    b = _lead(browser, staff)
    repair = log_message(b, ctx, REPAIR)
    complaint = log_message(b, ctx, COMPLAINT)
    reference = _case(engine, repair).reference
    response = b.post(
        f"/cases/{complaint}/actions/link",
        {"other": reference, "kind": "complaint_about_service_request"},
        page=f"/cases/{complaint}",
    )
    assert response.status_code == 303
    with Session(engine) as session:
        row = session.exec(select(CaseLink)).one()
    assert (row.from_case_id, row.to_case_id) == (complaint, repair)
    assert reference in b.get(f"/cases/{complaint}").text
    missing = b.post(f"/cases/{complaint}/actions/link", {"other": "INT-999999"}, page="/")
    assert missing.status_code == 422 and "There is no case INT-999999" in missing.text


def test_frontline_sees_no_team_lead_actions_and_cannot_use_them(
    browser, staff, ctx, engine
) -> None:
    staff("front@landlord.example", Role.FRONTLINE)
    b = browser()
    b.sign_in("front@landlord.example")
    case_id = log_message(b, ctx, COMPLAINT)
    page = b.get(f"/cases/{case_id}").text
    for team_lead_only in ("Confirm what this is", "Assign a handler", "Do not accept", "Link to"):
        assert team_lead_only not in page
    assert "Add a note" in page and "/admin/users" not in page
    refused = act(b, engine, case_id, "confirm", {"label": "other"})
    assert refused.status_code == 403 and "team lead" in refused.text
    assert _case(engine, case_id).status is CaseStatus.NEW
    assert b.get("/admin/users").status_code == 403
    note = b.post(f"/cases/{case_id}/actions/note", {"text": "Called her back"}, page="/")
    assert note.status_code == 303
    assert any(
        e.kind == "note" and e.summary == "Called her back" for e in _events(engine, case_id)
    )


def test_two_team_leads_the_second_is_told_and_nothing_is_overwritten(
    browser, staff, ctx, engine
) -> None:
    first = _lead(browser, staff, "first@landlord.example")
    second = _lead(browser, staff, "second@landlord.example")
    case_id = log_message(first, ctx, COMPLAINT)
    opened = version_of(engine, case_id)  # both have the page open at this version
    saved = first.post(
        f"/cases/{case_id}/actions/definition",
        {"version": opened, "issues": "First lead's wording"},
        page=f"/cases/{case_id}",
    )
    assert saved.status_code == 303
    clash = second.post(
        f"/cases/{case_id}/actions/definition",
        {"version": opened, "issues": "Second lead's wording"},
        page=f"/cases/{case_id}",
    )
    assert clash.status_code == 409
    assert "changed by someone else since you opened it" in clash.text
    assert "Second lead&#39;s wording</textarea>" in clash.text  # their typing is kept
    assert _case(engine, case_id).definition["issues"] == ["First lead's wording"]


def test_the_original_is_plain_text_in_a_sandbox(browser, staff, ctx, engine) -> None:
    b = _lead(browser, staff)
    case_id = log_message(b, ctx, "<b>hello</b> the boiler is broken")
    with Session(engine) as session:
        message = session.exec(select(Message).where(col(Message.case_id) == case_id)).first()
    original = b.get(f"/cases/{case_id}/messages/{message.id}/original")
    assert original.status_code == 200
    assert original.headers["content-type"].startswith("text/plain")
    assert "sandbox" in original.headers["content-security-policy"]
    assert b"<b>hello</b>" in original.content


def test_an_unknown_case_is_a_plain_404(browser, staff) -> None:
    b = _lead(browser, staff)
    response = b.get("/cases/999")
    assert response.status_code == 404 and "There is no such case" in response.text


def test_vulnerability_and_reasonable_adjustments_are_recorded_and_reviewed(
    browser, staff, ctx, engine
) -> None:
    staff("front@landlord.example", Role.FRONTLINE)
    front = browser()
    front.sign_in("front@landlord.example")
    case_id = log_message(front, ctx, REPAIR, resident_name="Mr Ali")
    page = f"/cases/{case_id}"
    said = front.post(f"{page}/actions/vulnerability", {"notes": "Uses a wheelchair"}, page=page)
    assert said.status_code == 303
    agreed = front.post(
        f"{page}/actions/adjustment",
        {"description": "Large print letters", "review_on": "2027-05-01"},
        page=page,
    )
    assert agreed.status_code == 303
    shown = front.get(page).text
    assert "Uses a wheelchair" in shown and "Large print letters: in place" in shown
    assert "Review an adjustment" not in shown  # reviews are for team leads
    lead = _lead(browser, staff)
    with Session(engine) as session:
        adjustment = session.exec(select(ReasonableAdjustment)).one()
    ended = lead.post(
        f"{page}/actions/review-adjustment",
        {"adjustment_id": str(adjustment.id), "outcome": "end"},
        page=page,
    )
    assert ended.status_code == 303
    assert "Large print letters: ended" in lead.get(page).text
    assert _case(engine, case_id).vulnerability is True
