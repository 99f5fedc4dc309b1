"""Plain-data views of a case, shared by the JSON API, the staff pages and Slack."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from intake.context import AppContext
from intake.workflow import current_stage
from store.crud import case_events, case_messages
from store.models import (
    Attachment,
    Case,
    CaseLink,
    CaseStage,
    Exclusion,
    Extension,
    OutstandingAction,
    Representative,
    Resident,
    TriageProposal,
)

_UNSET: Any = object()


def stages_for(session: Session, cases: list[Case]) -> dict[int, CaseStage]:
    """The current stage clock of each case, in one query (for queue pages)."""
    ids = [c.id for c in cases if c.id is not None and c.stage is not None]
    if not ids:
        return {}
    current = {c.id: c.stage for c in cases}
    clocks = session.exec(select(CaseStage).where(col(CaseStage.case_id).in_(ids))).all()
    return {k.case_id: k for k in clocks if current.get(k.case_id) == k.stage}


def deadlines_view(
    session: Session,
    ctx: AppContext,
    case: Case,
    today: date | None = None,
    clock: CaseStage | None = _UNSET,
) -> dict[str, Any]:
    """The dates that matter now, and working days left to the next one."""
    today = today or ctx.calendar.local_date(ctx.clock())
    if clock is _UNSET:
        clock = current_stage(session, case)
    acknowledge_by = clock.acknowledge_by if clock else None
    if clock is None and case.next_deadline_kind == "acknowledge":
        acknowledge_by = case.next_deadline
    left = None
    if case.next_deadline is not None:
        left = ctx.calendar.working_days_between(today, case.next_deadline)
    return {
        "acknowledge_by": acknowledge_by,
        "respond_by": clock.respond_by if clock else None,
        "extension_limit": clock.extension_limit if clock else None,
        "next": case.next_deadline,
        "next_kind": case.next_deadline_kind,
        "working_days_left": left,
        "overdue": case.next_deadline is not None and case.next_deadline < today,
    }


def case_summary(
    session: Session,
    ctx: AppContext,
    case: Case,
    today: date | None = None,
    clock: CaseStage | None = _UNSET,
) -> dict[str, Any]:
    """One queue row."""
    assert case.id is not None
    return {
        "id": case.id,
        "reference": case.reference,
        "label": case.label or case.proposed_label,
        "confirmed": case.label is not None,
        "proposed_label": case.proposed_label,
        "confidence": case.proposed_confidence,
        "status": case.status,
        "stage": case.stage,
        "channel": case.channel,
        "received_at": case.received_at,
        "summary": case.summary,
        "deadlines": deadlines_view(session, ctx, case, today, clock),
        "hazards": list(case.hazards),
        "emergency": case.emergency,
        "vulnerability": case.vulnerability,
        "possible_exclusions": list(case.possible_exclusions),
        "assignee_id": case.assignee_id,
        "version": case.version,
    }


def _row(obj: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in obj.model_dump().items() if k not in exclude}


def case_detail(session: Session, ctx: AppContext, case: Case) -> dict[str, Any]:
    """The whole record (5.12): messages, proposal, definition, deadlines and history."""
    assert case.id is not None
    resident = session.get(Resident, case.resident_id) if case.resident_id else None
    representative = (
        session.get(Representative, case.representative_id) if case.representative_id else None
    )
    proposal = session.get(TriageProposal, case.proposal_id) if case.proposal_id else None
    messages = []
    for message in case_messages(session=session, case_id=case.id):
        attachments = session.exec(
            select(Attachment).where(Attachment.message_id == message.id)
        ).all()
        row = _row(message, exclude=("case_id",))
        row["attachments"] = [_row(a, exclude=("data", "message_id")) for a in attachments]
        messages.append(row)

    def rows(model: Any, *conditions: Any) -> list[dict[str, Any]]:
        return [
            _row(r)
            for r in session.exec(select(model).where(*conditions).order_by(col(model.id))).all()
        ]

    return {
        **case_summary(session, ctx, case),
        "definition": case.definition,
        "resident": _row(resident) if resident else None,
        "representative": _row(representative) if representative else None,
        "proposal": _row(proposal) if proposal else None,
        "stages": rows(CaseStage, CaseStage.case_id == case.id),
        "messages": messages,
        "events": [_row(e) for e in case_events(session=session, case_id=case.id)],
        "extensions": rows(Extension, Extension.case_id == case.id),
        "exclusions": rows(Exclusion, Exclusion.case_id == case.id),
        "actions": rows(OutstandingAction, OutstandingAction.case_id == case.id),
        "links": rows(
            CaseLink, (CaseLink.from_case_id == case.id) | (CaseLink.to_case_id == case.id)
        ),
        "outcome": case.outcome,
        "remedy": case.remedy,
        "compensation_pence": case.compensation_pence,
    }
