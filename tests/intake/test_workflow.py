"""The Code's workflow as a state machine: each test names the provision it proves."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from intake.workflow import (
    Actor,
    InvalidTransition,
    PermissionDenied,
    WorkflowError,
    acknowledge,
    add_note,
    assign,
    close,
    complete_action,
    confirm,
    escalate,
    extend,
    link,
    refuse,
    respond,
)
from store.models import (
    CaseLink,
    CaseStage,
    CaseStatus,
    Event,
    Exclusion,
    ExclusionGround,
    Label,
    Message,
    Outcome,
    Role,
)
from tests.intake.helpers import new_case, staff


@pytest.fixture
def lead(make_user):  # type: ignore[no-untyped-def]
    return make_user("lead@landlord.example", Role.TEAM_LEAD)


@pytest.fixture
def other_lead(make_user):  # type: ignore[no-untyped-def]
    return make_user("second@landlord.example", Role.TEAM_LEAD)


@pytest.fixture
def frontline(make_user):  # type: ignore[no-untyped-def]
    return make_user("front@landlord.example", Role.FRONTLINE)


def confirmed_complaint(session, ctx, lead):  # type: ignore[no-untyped-def]
    case = new_case(session, ctx)
    confirm(session, ctx, case, staff(lead), label=Label.COMPLAINT)
    session.commit()
    return case


def letters(session: Session, case_id: int) -> list[Message]:
    return list(
        session.exec(select(Message).where(Message.case_id == case_id, Message.letter != "")).all()
    )


def test_1_5_confirmed_complaint_starts_stage_1_clock_from_receipt(engine, ctx, lead) -> None:
    """6.2: acknowledge within 5 working days of receipt; queue states are not stages (5.2)."""
    with Session(engine) as session:
        case = confirmed_complaint(session, ctx, lead)
        assert case.status is CaseStatus.AWAITING_ACKNOWLEDGEMENT
        assert case.stage == 1
        assert "stage" not in case.status.value
        clock = session.exec(select(CaseStage).where(CaseStage.case_id == case.id)).one()
        assert clock.acknowledge_by == date(2026, 11, 23)
        assert case.next_deadline == date(2026, 11, 23)


def test_1_2_override_is_recorded_as_a_correction(engine, ctx, lead) -> None:
    """A person overrides the proposal; the override is kept (training data for the next model)."""
    with Session(engine) as session:
        case = new_case(session, ctx, proposed=Label.COMPLAINT)
        confirm(session, ctx, case, staff(lead), label=Label.SERVICE_REQUEST)
        session.commit()
        event = session.exec(
            select(Event).where(Event.case_id == case.id, Event.kind == "label_corrected")
        ).one()
        assert event.data["proposed_label"] == "complaint"
        assert event.data["label"] == "service_request"
        assert case.status is CaseStatus.OPEN


def test_5_6_complaint_needs_a_definition_and_asks_for_outcome(engine, ctx, lead) -> None:
    """5.6: a complaint is defined; when no outcome is stated the resident is asked."""
    with Session(engine) as session:
        case = new_case(session, ctx, definition={})
        with pytest.raises(WorkflowError, match="definition"):
            confirm(session, ctx, case, staff(lead), label=Label.COMPLAINT)
        session.rollback()
        confirm(
            session,
            ctx,
            case,
            staff(lead),
            label=Label.COMPLAINT,
            definition={"issues": ["Rude caretaker"]},
        )
        assert case.definition["clarifications"] == ["What outcome are you hoping for?"]


def test_frontline_cannot_confirm(engine, ctx, frontline) -> None:
    with Session(engine) as session:
        case = new_case(session, ctx)
        with pytest.raises(PermissionDenied):
            confirm(session, ctx, case, staff(frontline), label=Label.COMPLAINT)


def test_6_2_6_3_acknowledge_starts_the_response_clock_and_sends_the_letter(
    engine, ctx, lead, clock
) -> None:
    """6.3: stage 1 response within 10 working days of acknowledgement; 5.6 definition in the letter."""
    with Session(engine) as session:
        case = confirmed_complaint(session, ctx, lead)
        clock.advance(days=2)  # Wednesday 18 November
        letter = acknowledge(session, ctx, case, staff(lead))
        session.commit()
        stage = session.exec(select(CaseStage).where(CaseStage.case_id == case.id)).one()
        assert stage.respond_by == date(2026, 12, 2)
        assert stage.extension_limit == date(2026, 12, 16)
        assert case.status is CaseStatus.INVESTIGATING
        assert "Boiler reported twice and nobody came" in letter.body_text
        assert "Wednesday 2 December 2026" in letter.body_text
        assert "0300 111 3000" in letter.body_text


def test_6_4_6_5_extension_needs_reason_is_capped_and_names_the_ombudsman(
    engine, ctx, lead
) -> None:
    with Session(engine) as session:
        case = confirmed_complaint(session, ctx, lead)
        acknowledge(session, ctx, case, staff(lead))
        session.commit()
        with pytest.raises(WorkflowError, match="reason"):
            extend(session, ctx, case, staff(lead), new_date=date(2026, 12, 10), reason="  ")
        with pytest.raises(WorkflowError, match="at most 10 working days"):
            extend(
                session,
                ctx,
                case,
                staff(lead),
                new_date=date(2026, 12, 31),
                reason="Awaiting surveyor",
            )
        letter = extend(
            session,
            ctx,
            case,
            staff(lead),
            new_date=date(2026, 12, 14),
            reason="Awaiting the surveyor's report",
        )
        session.commit()
        assert "Awaiting the surveyor's report" in letter.body_text
        assert "Housing Ombudsman" in letter.body_text and "0300 111 3000" in letter.body_text
        assert case.next_deadline == date(2026, 12, 14)
        # The cap counts from the original date, so a second extension cannot stretch it.
        with pytest.raises(WorkflowError, match="latest date allowed"):
            extend(session, ctx, case, staff(lead), new_date=date(2026, 12, 17), reason="More time")


def test_6_9_stage_1_response_has_every_element_and_tracks_actions(engine, ctx, lead) -> None:
    """6.9 a-g in the letter; 6.6 outstanding actions tracked after the response."""
    with Session(engine) as session:
        case = confirmed_complaint(session, ctx, lead)
        acknowledge(session, ctx, case, staff(lead))
        letter = respond(
            session,
            ctx,
            case,
            staff(lead),
            decision=Outcome.PARTLY_UPHELD,
            reasons="The first appointment was missed without notice.",
            remedy="An apology and £50 for time and trouble.",
            compensation_pence=5000,
            actions=[{"description": "Replace the boiler", "due_on": date(2026, 12, 11)}],
        )
        session.commit()
        body = letter.body_text
        for expected in (
            "Stage 1",
            "Boiler reported twice",
            "partly upheld",
            "missed without notice",
            "An apology",
            "£50.00",
            "Replace the boiler",
            "escalate your complaint to stage 2",
            "do not have to give a reason",
        ):
            assert expected in body, expected
        assert case.status is CaseStatus.RESPONDED
        assert case.next_deadline == date(2026, 12, 11)
        with pytest.raises(WorkflowError, match="outstanding"):
            close(session, ctx, case, staff(lead))


def test_6_10_6_12_6_13_escalation_without_reason_needs_a_different_handler(
    engine, ctx, lead, other_lead
) -> None:
    with Session(engine) as session:
        case = confirmed_complaint(session, ctx, lead)
        assign(session, ctx, case, staff(lead), lead)
        acknowledge(session, ctx, case, staff(lead))
        respond(
            session, ctx, case, staff(lead), decision=Outcome.NOT_UPHELD, reasons="No fault found."
        )
        session.commit()
        # 6.12: no reason is needed; the resident (no account) asks.
        escalate(session, ctx, case, Actor.system("resident"))
        session.commit()
        assert case.stage == 2 and case.status is CaseStatus.AWAITING_ACKNOWLEDGEMENT
        with pytest.raises(WorkflowError, match=r"6\.13"):
            assign(session, ctx, case, staff(lead), lead)
        with pytest.raises(WorkflowError, match=r"6\.13"):
            acknowledge(session, ctx, case, staff(lead))
        assign(session, ctx, case, staff(lead), other_lead)
        letter = acknowledge(session, ctx, case, staff(other_lead))
        session.commit()
        stage2 = session.exec(
            select(CaseStage).where(CaseStage.case_id == case.id, CaseStage.stage == 2)
        ).one()
        assert stage2.handler_id == other_lead.id
        assert "stage 2" in letter.body_text
        final = respond(
            session,
            ctx,
            case,
            staff(other_lead),
            decision=Outcome.UPHELD,
            reasons="We got it wrong.",
        )
        assert "refer your complaint to the Housing Ombudsman" in final.body_text
        # 5.3: never a third stage.
        with pytest.raises(WorkflowError, match="no third stage"):
            escalate(session, ctx, case, Actor.system("resident"))


def test_2_4_refusal_needs_a_person_a_reason_and_the_ombudsman_letter(
    engine, ctx, lead, frontline
) -> None:
    with Session(engine) as session:
        case = new_case(session, ctx)
        with pytest.raises(PermissionDenied):
            refuse(
                session,
                ctx,
                case,
                staff(frontline),
                ground=ExclusionGround.LEGAL_PROCEEDINGS,
                reason="Claim filed",
            )
        with pytest.raises(WorkflowError, match="Explain why"):
            refuse(
                session, ctx, case, staff(lead), ground=ExclusionGround.LEGAL_PROCEEDINGS, reason=""
            )
        letter = refuse(
            session,
            ctx,
            case,
            staff(lead),
            ground=ExclusionGround.LEGAL_PROCEEDINGS,
            reason="A disrepair claim was filed at Leeds County Court on 2 November.",
        )
        session.commit()
        assert case.status is CaseStatus.REFUSED
        assert "right to take this decision to the Housing Ombudsman" in letter.body_text
        assert "filed at court" in letter.body_text
        assert (
            session.exec(select(Exclusion).where(Exclusion.case_id == case.id)).one().decided_by_id
            == lead.id
        )


def test_illegal_transitions_raise_a_clear_error(engine, ctx, lead) -> None:
    with Session(engine) as session:
        case = new_case(session, ctx)
        with pytest.raises(InvalidTransition, match="cannot be acknowledged now"):
            acknowledge(session, ctx, case, staff(lead))
        with pytest.raises(WorkflowError, match="Only a complaint can be escalated"):
            escalate(session, ctx, case, Actor.system("resident"))
        confirm(session, ctx, case, staff(lead), label=Label.COMPLAINT)
        with pytest.raises(InvalidTransition):
            confirm(session, ctx, case, staff(lead), label=Label.COMPLAINT)


def test_1_5_complaint_about_a_service_request_links_both_open(engine, ctx, lead) -> None:
    with Session(engine) as session:
        request = new_case(session, ctx, proposed=Label.SERVICE_REQUEST)
        confirm(session, ctx, request, staff(lead), label=Label.SERVICE_REQUEST)
        complaint = confirmed_complaint(session, ctx, lead)
        link(session, ctx, request, complaint, staff(lead))
        session.commit()
        assert request.status is CaseStatus.OPEN
        assert complaint.status is CaseStatus.AWAITING_ACKNOWLEDGEMENT
        assert session.exec(select(CaseLink)).one().to_case_id == request.id


def test_6_6_close_after_actions_complete_records_outcome(engine, ctx, lead) -> None:
    with Session(engine) as session:
        case = confirmed_complaint(session, ctx, lead)
        acknowledge(session, ctx, case, staff(lead))
        respond(
            session,
            ctx,
            case,
            staff(lead),
            decision=Outcome.UPHELD,
            reasons="Missed visits.",
            actions=[{"description": "Fit new boiler"}],
        )
        session.commit()
        action_id = session.exec(select(Event).where(Event.kind == "responded")).one().case_id
        from store.models import OutstandingAction

        action = session.exec(select(OutstandingAction)).one()
        complete_action(session, ctx, case, staff(lead), action.id)
        close(session, ctx, case, staff(lead))
        add_note(session, ctx, case, staff(lead), "Resident happy with the new boiler")
        session.commit()
        assert action_id == case.id
        assert case.status is CaseStatus.CLOSED and case.outcome == "upheld"


def test_5_12_history_is_append_only(engine, ctx, lead) -> None:
    from store.models import AppendOnlyError

    with Session(engine) as session:
        case = confirmed_complaint(session, ctx, lead)
        event = session.exec(select(Event).where(Event.case_id == case.id)).first()
        assert event is not None
        event.summary = "rewritten"
        with pytest.raises(AppendOnlyError):
            session.flush()
        session.rollback()
        event = session.exec(select(Event).where(Event.case_id == case.id)).first()
        session.delete(event)
        with pytest.raises(AppendOnlyError):
            session.flush()
