"""The JSON API routes: log a message, read the triage queue and a case, confirm a proposal."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import func
from sqlmodel import select

from intake.api.changes import apply_change
from intake.api.deps import ApiUser, Ctx, DbSession
from intake.api.schemas import CaseDetail, CaseList, ConfirmIn, MessageCreated, MessageIn
from intake.case_views import case_detail, case_summary, stages_for
from intake.inbound import InboundMessage
from intake.submit import submit
from intake.workflow import Actor, confirm
from store.crud import QueueFilter, get_case, queue_query
from store.models import Case, CaseStatus, Label
from store.types import utcnow

router = APIRouter(prefix="/api", tags=["cases"])


@router.post("/messages", status_code=status.HTTP_201_CREATED, response_model=MessageCreated)
def log_message(body: MessageIn, ctx: Ctx, session: DbSession, user: ApiUser) -> dict[str, Any]:
    """Log what a resident said by phone, in person or elsewhere (Code 3.2)."""
    received_at = body.received_at
    if received_at is not None and received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=ctx.calendar.zone)
    if received_at is not None and received_at > utcnow():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "received_at is in the future.")
    message = InboundMessage(
        channel=body.channel.value,
        text=body.text,
        subject=body.subject,
        received_at=received_at,
        sender=(body.resident.email if body.resident else "") or "",
        sender_name=(body.resident.name if body.resident else "") or "",
        resident=body.resident.model_dump() if body.resident else {},
        representative=body.representative.model_dump() if body.representative else {},
        meta={"logged_by": user.email},
    )
    actor = Actor.staff(user)
    _, case = submit(session, ctx, message, actor=actor, open_new_case=True)
    session.commit()
    assert case is not None and case.id is not None
    ctx.notify_workers()
    return {"case_id": case.id, "reference": case.reference}


@router.get("/cases", response_model=CaseList)
def list_cases(
    ctx: Ctx,
    session: DbSession,
    user: ApiUser,
    label: Label | None = None,
    status_: CaseStatus | None = Query(None, alias="status"),
    overdue: bool | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    """The triage queue, most urgent first; closed cases only when asked for by status."""
    today = ctx.calendar.local_date(ctx.clock())
    query = queue_query(
        today=today, filters=QueueFilter(label=label, status=status_, overdue=overdue)
    )
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    cases = list(session.exec(query.offset(offset).limit(limit)).all())
    clocks = stages_for(session, cases)
    items = [case_summary(session, ctx, c, today, clocks.get(c.id or 0)) for c in cases]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def _case_or_404(session: DbSession, case_id: int) -> Case:
    case = get_case(session=session, case_id=case_id)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"There is no case with id {case_id}.")
    return case


@router.get("/cases/{case_id}", response_model=CaseDetail)
def read_case(case_id: int, ctx: Ctx, session: DbSession, user: ApiUser) -> dict[str, Any]:
    """The whole case record."""
    return case_detail(session, ctx, _case_or_404(session, case_id))


@router.post("/cases/{case_id}/confirm", response_model=CaseDetail)
def confirm_case(
    case_id: int, body: ConfirmIn, ctx: Ctx, session: DbSession, user: ApiUser
) -> dict[str, Any]:
    """A person confirms or overrides the proposal (label, definition, stage)."""
    return apply_change(
        ctx,
        session,
        case_id,
        lambda case: confirm(
            session,
            ctx,
            case,
            Actor.staff(user),
            label=body.label,
            stage=body.stage,
            definition=body.definition.model_dump() if body.definition else None,
            expected_version=body.version,
        ),
    )
