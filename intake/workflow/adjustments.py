"""Reasonable adjustments and vulnerability, recorded with the case and reviewed (5.10, 6.1)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from intake.context import AppContext
from intake.workflow.base import Actor, PermissionDenied, WorkflowError, record_event, touch
from store.models import Case, ReasonableAdjustment


def add_adjustment(
    session: Session,
    ctx: AppContext,
    case: Case,
    actor: Actor,
    *,
    description: str,
    review_on: date | None = None,
) -> ReasonableAdjustment:
    """Record an adjustment agreed with the resident, with a date to review it."""
    if case.resident_id is None:
        raise WorkflowError("Record who the resident is before agreeing an adjustment.")
    description = description.strip()
    if not description:
        raise WorkflowError("Describe the adjustment (for example: large print letters).")
    today = ctx.calendar.local_date(ctx.clock())
    if review_on is not None and review_on <= today:
        raise WorkflowError("The review date must be in the future.")
    adjustment = ReasonableAdjustment(
        resident_id=case.resident_id,
        case_id=case.id,
        description=description[:1000],
        agreed_at=ctx.clock(),
        review_on=review_on,
    )
    session.add(adjustment)
    session.flush()
    touch(ctx, case)
    record_event(
        session,
        case,
        "adjustment_agreed",
        f"Reasonable adjustment agreed: {adjustment.description}"
        + (f" (review by {review_on.isoformat()})" if review_on else ""),
        actor,
        adjustment_id=adjustment.id,
        at=ctx.clock(),
    )
    return adjustment


def review_adjustment(
    session: Session,
    ctx: AppContext,
    case: Case,
    actor: Actor,
    adjustment_id: int,
    *,
    keep: bool,
    next_review_on: date | None = None,
) -> ReasonableAdjustment:
    """Review an adjustment: keep it (with the next review date) or end it (5.10)."""
    if actor.user is None:
        raise PermissionDenied("Sign in to review an adjustment.")
    adjustment = session.get(ReasonableAdjustment, adjustment_id)
    if adjustment is None or adjustment.resident_id != case.resident_id:
        raise WorkflowError("That adjustment does not belong to this resident.")
    adjustment.last_reviewed_at = ctx.clock()
    adjustment.active = keep
    adjustment.review_on = next_review_on if keep else None
    touch(ctx, case)
    record_event(
        session,
        case,
        "adjustment_reviewed",
        f"Adjustment {'kept' if keep else 'ended'} after review: {adjustment.description}",
        actor,
        adjustment_id=adjustment_id,
        keep=keep,
        at=ctx.clock(),
    )
    return adjustment


def record_vulnerability(
    session: Session, ctx: AppContext, case: Case, actor: Actor, *, notes: str
) -> Case:
    """Record a vulnerability or risk disclosed by or about the resident (6.1)."""
    if actor.user is None:
        raise PermissionDenied("Sign in to record a vulnerability.")
    case.vulnerability = True
    case.vulnerability_notes = notes.strip()[:2000]
    touch(ctx, case)
    record_event(
        session,
        case,
        "vulnerability_recorded",
        "Vulnerability or risk recorded",
        actor,
        at=ctx.clock(),
    )
    return case
