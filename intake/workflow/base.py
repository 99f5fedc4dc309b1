"""Workflow basics: errors, who is acting, allowed moves, the history, and stage clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from intake.context import AppContext
from intake.deadlines import compute_deadlines
from store.models import (
    ROLE_RANK,
    Case,
    CaseStage,
    CaseStatus,
    Event,
    Role,
    StaffUser,
)


class WorkflowError(Exception):
    """A move the Code or the product does not allow; the message is shown to staff as-is."""


class PermissionDenied(WorkflowError):
    """The person's role does not allow this action."""


class ConflictError(WorkflowError):
    """The case changed since the person loaded it."""


class InvalidTransition(ConflictError):
    """The case is not in a state that allows this action (someone may have acted first)."""


# Which statuses each action may start from.
ALLOWED_FROM: dict[str, tuple[CaseStatus, ...]] = {
    "confirm": (CaseStatus.NEW,),
    "acknowledge": (CaseStatus.AWAITING_ACKNOWLEDGEMENT,),
    "extend": (CaseStatus.INVESTIGATING,),
    "respond": (CaseStatus.INVESTIGATING,),
    "escalate": (CaseStatus.RESPONDED, CaseStatus.CLOSED),
    "refuse": (CaseStatus.NEW, CaseStatus.AWAITING_ACKNOWLEDGEMENT, CaseStatus.INVESTIGATING),
    "close": (CaseStatus.RESPONDED, CaseStatus.OPEN),
}

STATUS_WORDS = {
    CaseStatus.NEW: "waiting to be confirmed",
    CaseStatus.AWAITING_ACKNOWLEDGEMENT: "waiting to be acknowledged",
    CaseStatus.INVESTIGATING: "being investigated",
    CaseStatus.RESPONDED: "responded to",
    CaseStatus.OPEN: "an open service request",
    CaseStatus.REFUSED: "refused",
    CaseStatus.CLOSED: "closed",
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a member of staff, or the resident / system (no account)."""

    user: StaffUser | None
    name: str

    @classmethod
    def staff(cls, user: StaffUser) -> Actor:
        return cls(user=user, name=user.name)

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(user=None, name=name)

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None


def require_role(actor: Actor, role: Role, action: str) -> None:
    """Refuse unless the actor is staff with at least `role`."""
    if actor.user is None or ROLE_RANK[actor.user.role] < ROLE_RANK[role]:
        raise PermissionDenied(f"Only a {role.value.replace('_', ' ')} or above can {action}.")


def check_version(case: Case, expected: int | None) -> None:
    """Refuse when the person's copy of the case is older than the stored one."""
    if expected is not None and expected != case.version:
        raise ConflictError(
            f"Case {case.reference} was changed by someone else since you opened it. "
            "Reload it to see their changes, then try again."
        )


def check_from(case: Case, action: str) -> None:
    allowed = ALLOWED_FROM[action]
    if case.status not in allowed:
        raise InvalidTransition(
            f"Case {case.reference} is {STATUS_WORDS[case.status]}, so it cannot be "
            f"{_PAST[action]} now."
        )


_PAST = {
    "confirm": "confirmed",
    "acknowledge": "acknowledged",
    "extend": "extended",
    "respond": "given a response",
    "escalate": "escalated",
    "refuse": "refused",
    "close": "closed",
}


def record_event(
    session: Session,
    case: Case,
    kind: str,
    summary: str,
    actor: Actor,
    *,
    at: datetime | None = None,
    **data: Any,
) -> Event:
    """Append one line to the case history."""
    assert case.id is not None, "flush the case before recording its history"
    event = Event(
        case_id=case.id,
        kind=kind,
        summary=summary,
        actor_id=actor.user_id,
        actor=actor.name,
        data=data,
    )
    if at is not None:
        event.at = at
    session.add(event)
    return event


def touch(ctx: AppContext, case: Case) -> None:
    # Marks the row dirty, so SQLAlchemy bumps its version even for a links-only change.
    case.updated_at = ctx.clock()


def current_stage(session: Session, case: Case) -> CaseStage | None:
    """The clock of the case's current stage."""
    if case.id is None or case.stage is None:
        return None
    return session.exec(
        select(CaseStage).where(CaseStage.case_id == case.id, CaseStage.stage == case.stage)
    ).first()


def today(ctx: AppContext) -> date:
    return ctx.calendar.local_date(ctx.clock())


def provisional_deadline(ctx: AppContext, case: Case) -> None:
    """A new case might be a complaint: its 5-day acknowledgement clock runs from receipt (6.2)."""
    deadlines = compute_deadlines(
        case.received_at, calendar=ctx.calendar, policy=ctx.settings.policy, stage=1
    )
    case.next_deadline = deadlines.acknowledge_by
    case.next_deadline_kind = "acknowledge"


def open_stage(
    session: Session,
    ctx: AppContext,
    case: Case,
    stage: int,
    requested_at: datetime,
    reason: str = "",
) -> CaseStage:
    if stage not in (1, 2):
        raise WorkflowError("The Code allows two stages only; there is no stage 0 or stage 3.")
    deadlines = compute_deadlines(
        requested_at, calendar=ctx.calendar, policy=ctx.settings.policy, stage=stage
    )
    clock = CaseStage(
        case_id=case.id or 0,
        stage=stage,
        requested_at=requested_at,
        day_zero=deadlines.day_zero,
        acknowledge_by=deadlines.acknowledge_by,
        escalation_reason=reason,
    )
    session.add(clock)
    case.stage = stage
    case.status = CaseStatus.AWAITING_ACKNOWLEDGEMENT
    case.next_deadline = deadlines.acknowledge_by
    case.next_deadline_kind = "acknowledge"
    return clock


def check_stage2_handler(case: Case, actor: Actor) -> None:
    if case.stage == 2 and actor.user_id is not None and actor.user_id == case.stage1_handler_id:
        raise WorkflowError(
            "You handled this complaint at stage 1, so someone else must handle stage 2 "
            "(Code 6.13)."
        )
