"""Ending a case: refusal under an exclusion (section 2), closure, completed actions (6.6)."""

from __future__ import annotations

from sqlmodel import Session, select

from intake.context import AppContext
from intake.letters import GROUND_TEXT
from intake.workflow.base import (
    Actor,
    WorkflowError,
    check_from,
    check_version,
    record_event,
    require_role,
    touch,
)
from intake.workflow.correspondence import write_letter
from store.models import (
    Case,
    CaseStatus,
    Exclusion,
    ExclusionGround,
    Label,
    Message,
    Outcome,
    OutstandingAction,
    Role,
)


def refuse(
    session: Session,
    ctx: AppContext,
    case: Case,
    actor: Actor,
    *,
    ground: ExclusionGround,
    reason: str,
    expected_version: int | None = None,
) -> Message:
    """A person declines the complaint, with a reason and the Ombudsman's details (2.4)."""
    require_role(actor, Role.TEAM_LEAD, "refuse a complaint")
    check_version(case, expected_version)
    check_from(case, "refuse")
    reason = reason.strip()
    if not reason:
        raise WorkflowError(
            "Explain why the complaint is not accepted; the resident is told, with their right "
            "to go to the Ombudsman (Code 2.4)."
        )
    if case.label is None:
        case.label = Label.COMPLAINT
        case.stage = 1
        case.confirmed_by_id = actor.user_id
        case.confirmed_at = ctx.clock()
    session.add(
        Exclusion(
            decided_at=ctx.clock(),
            case_id=case.id or 0,
            stage=case.stage or 1,
            ground=ground,
            reason=reason,
            decided_by_id=actor.user_id or 0,
        )
    )
    case.status = CaseStatus.REFUSED
    case.next_deadline = None
    case.next_deadline_kind = ""
    case.closed_at = ctx.clock()
    touch(ctx, case)
    record_event(
        session,
        case,
        "refused",
        f"Not accepted ({ground.value.replace('_', ' ')}): {reason}",
        actor,
        ground=ground.value,
        at=ctx.clock(),
    )
    return write_letter(
        session, ctx, case, actor, "refusal", ground_text=GROUND_TEXT[ground], reason=reason
    )


def close(
    session: Session,
    ctx: AppContext,
    case: Case,
    actor: Actor,
    *,
    outcome: Outcome | None = None,
    remedy: str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """Close a responded complaint or a finished service request, with its outcome."""
    require_role(actor, Role.TEAM_LEAD, "close a case")
    check_version(case, expected_version)
    check_from(case, "close")
    if case.label is Label.COMPLAINT:
        open_actions = session.exec(
            select(OutstandingAction).where(
                OutstandingAction.case_id == case.id,
                OutstandingAction.completed_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
        if open_actions:
            raise WorkflowError(
                f"{len(open_actions)} promised action(s) are still outstanding; complete them "
                "before closing (Code 6.6, 7.3)."
            )
        if outcome is not None:
            case.outcome = outcome.value
    else:
        case.outcome = (outcome or Outcome.RESOLVED).value
    if remedy is not None:
        case.remedy = remedy.strip()
    case.status = CaseStatus.CLOSED
    case.closed_at = ctx.clock()
    case.next_deadline = None
    case.next_deadline_kind = ""
    touch(ctx, case)
    record_event(
        session,
        case,
        "closed",
        "Closed" + (f": {note.strip()}" if note.strip() else ""),
        actor,
        outcome=case.outcome,
        at=ctx.clock(),
    )
    return case


def complete_action(
    session: Session, ctx: AppContext, case: Case, actor: Actor, action_id: int
) -> OutstandingAction:
    """Mark a promised action done (6.6)."""
    require_role(actor, Role.TEAM_LEAD, "complete an action")
    action = session.get(OutstandingAction, action_id)
    if action is None or action.case_id != case.id:
        raise WorkflowError("That action does not belong to this case.")
    if action.completed_at is not None:
        raise WorkflowError("That action is already complete.")
    action.completed_at = ctx.clock()
    remaining = session.exec(
        select(OutstandingAction).where(
            OutstandingAction.case_id == case.id,
            OutstandingAction.completed_at.is_(None),  # type: ignore[union-attr]
            OutstandingAction.id != action_id,
        )
    ).all()
    if case.next_deadline_kind == "action":
        case.next_deadline = min((a.due_on for a in remaining if a.due_on), default=None)
        case.next_deadline_kind = "action" if case.next_deadline else ""
    touch(ctx, case)
    record_event(
        session,
        case,
        "action_completed",
        f"Action completed: {action.description}",
        actor,
        action_id=action_id,
        at=ctx.clock(),
    )
    return action
