"""JSON API for the workflow's actions on a case, each guarded by role, state and version."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import Field

from intake.api.changes import apply_change
from intake.api.deps import ApiUser, Ctx, DbSession
from intake.api.schemas import CaseDetail, DefinitionIn, Strict
from intake.workflow import (
    Actor,
    acknowledge,
    add_note,
    assign,
    close,
    edit_definition,
    escalate,
    extend,
    refuse,
    respond,
)
from store.models import ExclusionGround, Outcome, StaffUser

router = APIRouter(prefix="/api/cases/{case_id}", tags=["case actions"])


class Versioned(Strict):
    version: int | None = Field(None, description="The case version you saw; 409 if it changed.")


class ExtendIn(Versioned):
    new_date: date
    reason: str = Field(..., min_length=1, max_length=4000)
    agreed_with_resident: bool = False


class ActionIn(Strict):
    description: str = Field(..., min_length=1, max_length=2000)
    owner: str = Field("", max_length=200)
    due_on: date | None = None


class RespondIn(Versioned):
    decision: Outcome
    reasons: str = Field(..., min_length=1, max_length=20000)
    remedy: str = Field("", max_length=4000)
    compensation_pence: int = Field(0, ge=0, le=100_000_000)
    actions: list[ActionIn] = Field(default_factory=list, max_length=50)


class EscalateIn(Versioned):
    requested_at: datetime | None = None
    reason: str = Field(
        "", max_length=4000, description="Optional: no reason may be demanded (6.12)."
    )


class RefuseIn(Versioned):
    ground: ExclusionGround
    reason: str = Field(..., min_length=1, max_length=4000)


class CloseIn(Versioned):
    outcome: Outcome | None = None
    remedy: str | None = Field(None, max_length=4000)
    note: str = Field("", max_length=2000)


class AssignIn(Versioned):
    assignee_id: int


class NoteIn(Strict):
    text: str = Field(..., min_length=1, max_length=2000)


class DefinitionEditIn(Versioned):
    definition: DefinitionIn


@router.post("/acknowledge", response_model=CaseDetail)
def acknowledge_case(
    case_id: int, body: Versioned, ctx: Ctx, session: DbSession, user: ApiUser
) -> dict[str, Any]:
    """Acknowledge and log the complaint; sends the acknowledgement letter (6.2, 6.11)."""
    return apply_change(
        ctx,
        session,
        case_id,
        lambda c: acknowledge(session, ctx, c, Actor.staff(user), expected_version=body.version),
    )


@router.post("/extend", response_model=CaseDetail)
def extend_case(
    case_id: int, body: ExtendIn, ctx: Ctx, session: DbSession, user: ApiUser
) -> dict[str, Any]:
    """Extend the response deadline with a reason, within the Code's cap (6.4, 6.15)."""
    return apply_change(
        ctx,
        session,
        case_id,
        lambda c: extend(
            session,
            ctx,
            c,
            Actor.staff(user),
            new_date=body.new_date,
            reason=body.reason,
            agreed_with_resident=body.agreed_with_resident,
            expected_version=body.version,
        ),
    )


@router.post("/respond", response_model=CaseDetail)
def respond_case(
    case_id: int, body: RespondIn, ctx: Ctx, session: DbSession, user: ApiUser
) -> dict[str, Any]:
    """Send the stage response with every element of 6.9 / 6.19."""
    return apply_change(
        ctx,
        session,
        case_id,
        lambda c: respond(
            session,
            ctx,
            c,
            Actor.staff(user),
            decision=body.decision,
            reasons=body.reasons,
            remedy=body.remedy,
            compensation_pence=body.compensation_pence,
            actions=[a.model_dump() for a in body.actions],
            expected_version=body.version,
        ),
    )


@router.post("/escalate", response_model=CaseDetail)
def escalate_case(
    case_id: int, body: EscalateIn, ctx: Ctx, session: DbSession, user: ApiUser
) -> dict[str, Any]:
    """Record the resident's request for stage 2 (6.10); no reason is needed (6.12)."""
    return apply_change(
        ctx,
        session,
        case_id,
        lambda c: escalate(
            session,
            ctx,
            c,
            Actor.staff(user),
            requested_at=body.requested_at,
            reason=body.reason,
            expected_version=body.version,
        ),
    )


@router.post("/refuse", response_model=CaseDetail)
def refuse_case(
    case_id: int, body: RefuseIn, ctx: Ctx, session: DbSession, user: ApiUser
) -> dict[str, Any]:
    """Decline under an exclusion, with the reason and the Ombudsman letter (2.4)."""
    return apply_change(
        ctx,
        session,
        case_id,
        lambda c: refuse(
            session,
            ctx,
            c,
            Actor.staff(user),
            ground=body.ground,
            reason=body.reason,
            expected_version=body.version,
        ),
    )


@router.post("/close", response_model=CaseDetail)
def close_case(
    case_id: int, body: CloseIn, ctx: Ctx, session: DbSession, user: ApiUser
) -> dict[str, Any]:
    """Close a responded complaint or a finished service request."""
    return apply_change(
        ctx,
        session,
        case_id,
        lambda c: close(
            session,
            ctx,
            c,
            Actor.staff(user),
            outcome=body.outcome,
            remedy=body.remedy,
            note=body.note,
            expected_version=body.version,
        ),
    )


@router.post("/assign", response_model=CaseDetail)
def assign_case(
    case_id: int, body: AssignIn, ctx: Ctx, session: DbSession, user: ApiUser
) -> dict[str, Any]:
    """Give the case a handler (at stage 2, never the stage 1 handler: 6.13)."""
    assignee = session.get(StaffUser, body.assignee_id)
    if assignee is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"There is no staff account with id {body.assignee_id}."
        )
    return apply_change(
        ctx,
        session,
        case_id,
        lambda c: assign(
            session, ctx, c, Actor.staff(user), assignee, expected_version=body.version
        ),
    )


@router.post("/definition", response_model=CaseDetail)
def edit_case_definition(
    case_id: int, body: DefinitionEditIn, ctx: Ctx, session: DbSession, user: ApiUser
) -> dict[str, Any]:
    """Edit the complaint definition (5.6); the old one stays in the history."""
    return apply_change(
        ctx,
        session,
        case_id,
        lambda c: edit_definition(
            session,
            ctx,
            c,
            Actor.staff(user),
            body.definition.model_dump(),
            expected_version=body.version,
        ),
    )


@router.post("/notes", response_model=CaseDetail)
def add_case_note(
    case_id: int, body: NoteIn, ctx: Ctx, session: DbSession, user: ApiUser
) -> dict[str, Any]:
    """Add a note to the case history (any member of staff)."""
    return apply_change(
        ctx, session, case_id, lambda c: add_note(session, ctx, c, Actor.staff(user), body.text)
    )
