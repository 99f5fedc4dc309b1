"""The pipeline: every channel's message becomes a proposal in the queue; failures lose nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from intake.inbound import InboundMessage
from intake.pipeline import PIPELINE
from intake.submit import submit
from intake.worker import drain
from intake.workflow import Actor, acknowledge, confirm, respond
from store.models import (
    Case,
    CaseLink,
    CaseStatus,
    Event,
    Inbound,
    InboundStatus,
    Label,
    Message,
    Outcome,
    Role,
    TriageProposal,
)


def log(engine, ctx, text: str, **kwargs) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        _, case = submit(
            session, ctx, InboundMessage(channel="phone", text=text, **kwargs), open_new_case=True
        )
        session.commit()
        return case.id


def test_pipeline_steps_are_named_in_order() -> None:
    assert PIPELINE == (
        "parse",
        "dedupe",
        "thread",
        "classify",
        "define",
        "flag",
        "deadlines",
        "propose",
    )


def test_message_becomes_a_proposal_with_reasons(engine, ctx) -> None:
    """1.2: dissatisfaction with the landlord is proposed as a complaint, with why."""
    case_id = log(
        engine, ctx, "I reported my boiler twice and nobody came. I am unhappy. Please fix it."
    )
    assert drain(ctx) == 1
    with Session(engine) as session:
        case = session.get(Case, case_id)
        assert case.status is CaseStatus.NEW and case.proposed_label is Label.COMPLAINT
        assert case.definition["issues"] == ["I reported my boiler twice and nobody came"]
        proposal = session.get(TriageProposal, case.proposal_id)
        assert proposal.provision == "1.2" and proposal.reasons
        assert [s["step"] for s in proposal.steps][:3] == ["parse", "classify", "define"]
        assert (
            session.exec(select(Message).where(Message.case_id == case_id))
            .one()
            .body_text.startswith("I reported")
        )


def test_hazard_with_vulnerability_tops_the_queue(engine, ctx) -> None:
    """Awaab's Law: no heating for a vulnerable household is an emergency."""
    log(engine, ctx, "The boiler is broken, no heating, and I have a newborn baby.")
    drain(ctx)
    gas = log(engine, ctx, "I can smell gas in the kitchen, please send someone")
    drain(ctx)
    with Session(engine) as session:
        assert session.get(Case, gas).emergency is True


def test_failing_message_is_retried_then_quarantined_and_others_flow(engine, ctx, clock) -> None:
    bad = log(engine, ctx, "please explode the classifier")
    good = log(engine, ctx, "My fence is broken, please repair it")
    drain(ctx)
    with Session(engine) as session:
        assert session.get(Case, good).proposed_label is Label.SERVICE_REQUEST
        inbound = session.exec(select(Inbound).where(Inbound.case_id == bad)).first()
        assert inbound is None  # not finished
        row = session.exec(select(Inbound).order_by(Inbound.id)).first()
        assert row.status is InboundStatus.QUEUED and row.failed_step == "classify"
    for _ in range(6):
        clock.advance(minutes=10)
        drain(ctx)
    with Session(engine) as session:
        row = session.exec(select(Inbound).order_by(Inbound.id)).first()
        assert row.status is InboundStatus.QUARANTINED
        assert "fake classifier was asked to fail" in row.last_error
        assert row.raw  # kept


def test_unreadable_message_is_quarantined_at_once_and_kept(engine, ctx) -> None:
    log(engine, ctx, "placeholder, corrupted below")
    good = log(engine, ctx, "My fence is broken, please repair it")
    with Session(engine) as session:
        row = session.exec(select(Inbound).order_by(Inbound.id)).first()
        row.raw = b'{"channel": "phone", "text": '  # cut off mid-way: no retry can read it
        session.add(row)
        session.commit()
    drain(ctx)
    with Session(engine) as session:
        assert session.get(Case, good).proposed_label is Label.SERVICE_REQUEST
        row = session.exec(select(Inbound).order_by(Inbound.id)).first()
        assert row.status is InboundStatus.QUARANTINED
        assert row.attempts == 1 and row.failed_step == "parse"
        assert "cannot be read" in row.last_error
        assert row.raw.startswith(b'{"channel"')  # kept for a person to look at


def test_6_10_reply_to_stage_1_response_is_a_stage_2_escalation(engine, ctx, make_user) -> None:
    lead = make_user("lead@landlord.example", Role.TEAM_LEAD)
    case_id = log(engine, ctx, "Nobody came to fix the leak. I am unhappy.")
    drain(ctx)
    with Session(engine) as session:
        case = session.get(Case, case_id)
        confirm(session, ctx, case, Actor.staff(lead), label=Label.COMPLAINT)
        acknowledge(session, ctx, case, Actor.staff(lead))
        respond(
            session,
            ctx,
            case,
            Actor.staff(lead),
            decision=Outcome.NOT_UPHELD,
            reasons="Visit made.",
        )
        session.commit()
    with Session(engine) as session:
        submit(
            session,
            ctx,
            InboundMessage(
                channel="phone", text="I'm not happy with that answer.", case_id=case_id
            ),
        )
        session.commit()
    drain(ctx)
    with Session(engine) as session:
        case = session.get(Case, case_id)
        assert case.stage == 2 and case.status is CaseStatus.AWAITING_ACKNOWLEDGEMENT
        assert session.exec(
            select(Event).where(Event.case_id == case_id, Event.kind == "escalated")
        ).one()


def test_1_5_complaint_in_a_service_request_thread_opens_a_linked_case(
    engine, ctx, make_user
) -> None:
    lead = make_user("lead@landlord.example", Role.TEAM_LEAD)
    request_id = log(engine, ctx, "The kitchen tap is broken, please repair it")
    drain(ctx)
    with Session(engine) as session:
        confirm(
            session,
            ctx,
            session.get(Case, request_id),
            Actor.staff(lead),
            label=Label.SERVICE_REQUEST,
        )
        session.commit()
        submit(
            session,
            ctx,
            InboundMessage(
                channel="phone",
                text="Still not fixed after three weeks, I'm unhappy.",
                case_id=request_id,
            ),
        )
        session.commit()
    drain(ctx)
    with Session(engine) as session:
        link = session.exec(select(CaseLink)).one()
        assert link.to_case_id == request_id
        complaint = session.get(Case, link.from_case_id)
        assert complaint.proposed_label is Label.COMPLAINT and complaint.status is CaseStatus.NEW
        assert session.get(Case, request_id).status is CaseStatus.OPEN


def test_received_at_given_by_staff_is_kept(engine, ctx) -> None:
    when = datetime(2026, 11, 14, 9, 30, tzinfo=UTC)  # a Saturday
    case_id = log(engine, ctx, "Rang on Saturday: boiler broken", received_at=when)
    drain(ctx)
    with Session(engine) as session:
        case = session.get(Case, case_id)
        assert case.received_at == when
        assert case.next_deadline.isoformat() == "2026-11-23"  # Mon 16 is day zero


def test_further_turns_that_change_nothing_add_no_history_noise(engine, ctx) -> None:
    case_id = log(engine, ctx, "The fence is broken, please repair it")
    drain(ctx)
    for text in (
        "It's the back fence that is broken",
        "Any time after 10 is fine, please repair it",
    ):
        with Session(engine) as session:
            submit(session, ctx, InboundMessage(channel="chat", text=text, case_id=case_id))
            session.commit()
        drain(ctx)
    with Session(engine) as session:
        proposed = session.exec(
            select(Event).where(Event.case_id == case_id, Event.kind == "proposed")
        ).all()
        assert len(proposed) == 1
        assert (
            len(session.exec(select(TriageProposal).where(TriageProposal.case_id == case_id)).all())
            == 3
        )
