"""The stage clocks: acknowledge, extend, respond and escalate (6.2-6.19)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from intake.context import AppContext
from intake.deadlines import compute_deadlines
from intake.letters import DECISION_TEXT, long_date, money
from intake.workflow.base import (
    Actor,
    WorkflowError,
    check_from,
    check_stage2_handler,
    check_version,
    current_stage,
    open_stage,
    record_event,
    require_role,
    touch,
)
from intake.workflow.correspondence import write_letter
from store.models import (
    Case,
    CaseStage,
    CaseStatus,
    Extension,
    Label,
    Message,
    Outcome,
    OutstandingAction,
    Role,
)


def acknowledge(
    session: Session,
    ctx: AppContext,
    case: Case,
    actor: Actor,
    *,
    expected_version: int | None = None,
) -> Message:
    """Acknowledge and log the complaint; the response clock starts now (6.2, 6.3, 6.11, 6.14)."""
    require_role(actor, Role.TEAM_LEAD, "acknowledge a complaint")
    check_version(case, expected_version)
    check_from(case, "acknowledge")
    check_stage2_handler(case, actor)
    clock = current_stage(session, case)
    assert clock is not None and case.stage is not None
    now = ctx.clock()
    ack_day = ctx.calendar.local_date(now)
    deadlines = compute_deadlines(
        clock.requested_at,
        calendar=ctx.calendar,
        policy=ctx.settings.policy,
        stage=case.stage,
        acknowledged=ack_day,
    )
    clock.acknowledged_at = now
    clock.respond_by = deadlines.respond_by
    clock.original_respond_by = deadlines.respond_by
    clock.extension_limit = deadlines.extension_limit
    if clock.handler_id is None:
        clock.handler_id = case.assignee_id or actor.user_id
    if case.stage == 1 and case.stage1_handler_id is None:
        case.stage1_handler_id = clock.handler_id
    if case.stage == 2 and case.stage2_handler_id is None:
        case.stage2_handler_id = clock.handler_id
    case.status = CaseStatus.INVESTIGATING
    case.next_deadline = deadlines.respond_by
    case.next_deadline_kind = "respond"
    touch(ctx, case)
    late = ack_day > clock.acknowledge_by
    record_event(
        session,
        case,
        "acknowledged",
        f"Acknowledged at stage {case.stage}; response due by {long_date(deadlines.respond_by)}"
        + (" (acknowledged late)" if late else ""),
        actor,
        respond_by=deadlines.respond_by.isoformat(),
        on_time=not late,
        at=ctx.clock(),
    )
    return write_letter(
        session, ctx, case, actor, "acknowledgement", respond_by=long_date(deadlines.respond_by)
    )


def extend(
    session: Session,
    ctx: AppContext,
    case: Case,
    actor: Actor,
    *,
    new_date: date,
    reason: str,
    agreed_with_resident: bool = False,
    expected_version: int | None = None,
) -> Message:
    """Extend the response deadline with a reason, within the Code's cap (6.4, 6.5, 6.15, 6.16)."""
    require_role(actor, Role.TEAM_LEAD, "extend a deadline")
    check_version(case, expected_version)
    check_from(case, "extend")
    reason = reason.strip()
    if not reason:
        raise WorkflowError("Give the reason for the extension; the resident is told it (6.5).")
    clock = current_stage(session, case)
    assert clock is not None and clock.respond_by and clock.extension_limit and case.stage
    if new_date <= clock.respond_by:
        raise WorkflowError(
            f"The new date must be after the current deadline, {long_date(clock.respond_by)}."
        )
    if new_date > clock.extension_limit:
        cap = (
            ctx.settings.policy.stage1_extension_days
            if case.stage == 1
            else ctx.settings.policy.stage2_extension_days
        )
        raise WorkflowError(
            f"An extension at stage {case.stage} may add at most {cap} working days: the latest "
            f"date allowed is {long_date(clock.extension_limit)} (Code "
            f"{'6.4' if case.stage == 1 else '6.15'})."
        )
    if not ctx.calendar.is_working_day(new_date):
        raise WorkflowError(f"{long_date(new_date)} is not a working day.")
    old = clock.respond_by
    days = ctx.calendar.working_days_between(old, new_date)
    session.add(
        Extension(
            created_at=ctx.clock(),
            case_id=case.id or 0,
            stage=case.stage,
            from_date=old,
            to_date=new_date,
            working_days=days,
            reason=reason,
            agreed_with_resident=agreed_with_resident,
            created_by_id=actor.user_id,
        )
    )
    clock.respond_by = new_date
    case.next_deadline = new_date
    touch(ctx, case)
    record_event(
        session,
        case,
        "extended",
        f"Response deadline extended by {days} working days to {long_date(new_date)}: {reason}",
        actor,
        from_date=old.isoformat(),
        to_date=new_date.isoformat(),
        working_days=days,
        at=ctx.clock(),
    )
    return write_letter(
        session,
        ctx,
        case,
        actor,
        "extension",
        reason=reason,
        new_date=long_date(new_date),
        old_date=long_date(old),
        agreed_with_resident=agreed_with_resident,
    )


def respond(
    session: Session,
    ctx: AppContext,
    case: Case,
    actor: Actor,
    *,
    decision: Outcome,
    reasons: str,
    remedy: str = "",
    compensation_pence: int = 0,
    actions: list[dict[str, Any]] | None = None,
    expected_version: int | None = None,
) -> Message:
    """Record the stage response once the answer is known (6.6, 6.7, 6.9, 6.17-6.19)."""
    require_role(actor, Role.TEAM_LEAD, "send a complaint response")
    check_version(case, expected_version)
    check_from(case, "respond")
    check_stage2_handler(case, actor)
    if not reasons.strip():
        raise WorkflowError("Give the reasons for the decision (Code 6.9 d).")
    if decision is Outcome.RESOLVED:
        raise WorkflowError("Choose upheld, partly upheld, not upheld or withdrawn.")
    if compensation_pence < 0:
        raise WorkflowError("Compensation cannot be negative.")
    clock = current_stage(session, case)
    assert clock is not None
    now = ctx.clock()
    clock.responded_at = now
    clock.decision = decision.value
    clock.reasons = reasons.strip()
    clock.remedy = remedy.strip()
    if clock.handler_id is None:
        clock.handler_id = actor.user_id
    if case.stage == 1 and case.stage1_handler_id is None:
        case.stage1_handler_id = actor.user_id
    if case.stage == 2 and case.stage2_handler_id is None:
        case.stage2_handler_id = actor.user_id
    created = []
    for item in actions or []:
        description = str(item.get("description", "")).strip()
        if not description:
            continue
        action = OutstandingAction(
            case_id=case.id or 0,
            description=description,
            owner=str(item.get("owner", "")),
            due_on=item.get("due_on"),
        )
        session.add(action)
        created.append(action)
    case.outcome = decision.value
    case.remedy = remedy.strip()
    case.compensation_pence += compensation_pence
    case.status = CaseStatus.RESPONDED
    case.next_deadline = min((a.due_on for a in created if a.due_on), default=None)
    case.next_deadline_kind = "action" if case.next_deadline else ""
    touch(ctx, case)
    on_time = clock.respond_by is None or ctx.calendar.local_date(now) <= clock.respond_by
    record_event(
        session,
        case,
        "responded",
        f"Stage {case.stage} response sent: {decision.value.replace('_', ' ')}"
        + ("" if on_time else " (late)"),
        actor,
        decision=decision.value,
        on_time=on_time,
        actions=len(created),
        at=ctx.clock(),
    )
    return write_letter(
        session,
        ctx,
        case,
        actor,
        "stage_response",
        decision_text=DECISION_TEXT[decision],
        reasons=reasons.strip(),
        remedy=remedy.strip(),
        compensation=money(compensation_pence) if compensation_pence else "",
        actions=[{"description": a.description, "due_on": long_date(a.due_on)} for a in created],
    )


def escalate(
    session: Session,
    ctx: AppContext,
    case: Case,
    actor: Actor,
    *,
    requested_at: datetime | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> CaseStage:
    """The resident asks for stage 2 (6.10); no reason may be demanded (6.12)."""
    check_version(case, expected_version)
    if case.label is not Label.COMPLAINT:
        raise WorkflowError("Only a complaint can be escalated to stage 2.")
    if case.stage == 2:
        raise WorkflowError(
            "This complaint is already at stage 2, the final stage. There is no third stage "
            "(Code 5.3): the resident can now go to the Housing Ombudsman."
        )
    check_from(case, "escalate")
    requested_at = requested_at or ctx.clock()
    clock = open_stage(session, ctx, case, 2, requested_at, reason.strip())
    case.assignee_id = None  # a different handler must pick it up (6.13)
    case.closed_at = None
    touch(ctx, case)
    record_event(
        session,
        case,
        "escalated",
        "Escalated to stage 2 at the resident's request; acknowledge by "
        f"{long_date(clock.acknowledge_by)}",
        actor,
        reason=reason.strip() or None,
        requested_at=requested_at.isoformat(),
        at=ctx.clock(),
    )
    return clock
