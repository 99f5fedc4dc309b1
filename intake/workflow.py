"""The Code's complaint workflow as an explicit state machine: two stages, clocks, letters, history.

Every change to a case goes through one of these functions. Each checks that the move is
allowed from the case's current state and by this person, changes the case, writes the
history, and (where the Code requires) produces the letter. Illegal moves raise
WorkflowError with a sentence a team lead can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from intake.context import AppContext
from intake.deadlines import compute_deadlines
from intake.letters import DECISION_TEXT, GROUND_TEXT, Letter, long_date, money
from store.models import (
    ROLE_RANK,
    Case,
    CaseLink,
    CaseStage,
    CaseStatus,
    Direction,
    Event,
    Exclusion,
    ExclusionGround,
    Extension,
    Label,
    LinkKind,
    Message,
    Outcome,
    OutstandingAction,
    Resident,
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


def _check_from(case: Case, action: str) -> None:
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


def _touch(ctx: AppContext, case: Case) -> None:
    # Marks the row dirty, so SQLAlchemy bumps its version even for a links-only change.
    case.updated_at = ctx.clock()


def current_stage(session: Session, case: Case) -> CaseStage | None:
    """The clock of the case's current stage."""
    if case.id is None or case.stage is None:
        return None
    return session.exec(
        select(CaseStage).where(CaseStage.case_id == case.id, CaseStage.stage == case.stage)
    ).first()


def _today(ctx: AppContext) -> date:
    return ctx.calendar.local_date(ctx.clock())


def provisional_deadline(ctx: AppContext, case: Case) -> None:
    """A new case might be a complaint: its 5-day acknowledgement clock runs from receipt (6.2)."""
    deadlines = compute_deadlines(
        case.received_at, calendar=ctx.calendar, policy=ctx.settings.policy, stage=1
    )
    case.next_deadline = deadlines.acknowledge_by
    case.next_deadline_kind = "acknowledge"


def _open_stage(
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


def confirm(
    session: Session,
    ctx: AppContext,
    case: Case,
    actor: Actor,
    *,
    label: Label,
    stage: int | None = None,
    definition: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Case:
    """A person confirms or overrides the triage proposal (1.2-1.6); overrides are kept."""
    require_role(actor, Role.TEAM_LEAD, "confirm a case")
    check_version(case, expected_version)
    _check_from(case, "confirm")
    now = ctx.clock()
    if label is Label.COMPLAINT:
        stage = stage or 1
        if definition is not None:
            case.definition = _clean_definition(definition)
        if not (case.definition or {}).get("issues"):
            raise WorkflowError(
                "A complaint needs a definition: say at least one thing the resident is "
                "unhappy about (Code 5.6)."
            )
        _open_stage(session, ctx, case, stage, case.received_at)
    elif stage is not None:
        raise WorkflowError("Only a complaint has a stage.")
    elif label is Label.SERVICE_REQUEST:
        case.stage = None
        case.status = CaseStatus.OPEN
        case.next_deadline = None
        case.next_deadline_kind = ""
    else:
        case.stage = None
        case.status = CaseStatus.CLOSED
        case.closed_at = now
        case.next_deadline = None
        case.next_deadline_kind = ""
    corrected = case.proposed_label is not None and case.proposed_label != label
    case.label = label
    case.confirmed_by_id = actor.user_id
    case.confirmed_at = now
    _touch(ctx, case)
    summary = f"Confirmed as {label.value.replace('_', ' ')}" + (
        f" at stage {case.stage}" if case.stage else ""
    )
    if corrected:
        summary += f" (proposal was {case.proposed_label.value.replace('_', ' ')})"  # type: ignore[union-attr]
    record_event(
        session,
        case,
        "label_corrected" if corrected else "confirmed",
        summary,
        actor,
        label=label.value,
        proposed_label=case.proposed_label.value if case.proposed_label else None,
        stage=case.stage,
        definition=case.definition,
    )
    return case


def _clean_definition(definition: dict[str, Any]) -> dict[str, list[str]]:
    keys = ("issues", "outcomes", "responsible", "not_responsible", "clarifications")
    unknown = set(definition) - set(keys)
    if unknown:
        raise WorkflowError(f"Unknown parts of a definition: {', '.join(sorted(unknown))}.")
    cleaned: dict[str, list[str]] = {}
    for key in keys:
        items = definition.get(key) or []
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise WorkflowError(f"The definition's {key} must be a list of short phrases.")
        cleaned[key] = [i.strip() for i in items if i.strip()]
    if not cleaned["outcomes"] and not cleaned["clarifications"]:
        # 5.6: when the outcome sought is unclear, ask.
        cleaned["clarifications"] = ["What outcome are you hoping for?"]
    return cleaned


def edit_definition(
    session: Session,
    ctx: AppContext,
    case: Case,
    actor: Actor,
    definition: dict[str, Any],
    *,
    expected_version: int | None = None,
) -> Case:
    """Change the complaint definition (5.6); the old one stays in the history."""
    require_role(actor, Role.TEAM_LEAD, "edit a complaint definition")
    check_version(case, expected_version)
    if case.status in (CaseStatus.CLOSED, CaseStatus.REFUSED):
        raise WorkflowError(f"Case {case.reference} is {STATUS_WORDS[case.status]}.")
    before = case.definition
    case.definition = _clean_definition(definition)
    _touch(ctx, case)
    record_event(
        session,
        case,
        "definition_edited",
        "Edited the complaint definition",
        actor,
        before=before,
        after=case.definition,
    )
    return case


def assign(
    session: Session,
    ctx: AppContext,
    case: Case,
    actor: Actor,
    assignee: StaffUser,
    *,
    expected_version: int | None = None,
) -> Case:
    """Give the case a handler; at stage 2 never the stage 1 handler (6.13)."""
    require_role(actor, Role.TEAM_LEAD, "assign a case")
    check_version(case, expected_version)
    if not assignee.is_active:
        raise WorkflowError(f"{assignee.name} has no active account.")
    if case.stage == 2 and assignee.id is not None and assignee.id == case.stage1_handler_id:
        raise WorkflowError(
            f"{assignee.name} handled this complaint at stage 1, so cannot handle stage 2 "
            "(Code 6.13). Choose someone else."
        )
    case.assignee_id = assignee.id
    if case.stage == 2:
        case.stage2_handler_id = assignee.id
    elif case.label is Label.COMPLAINT:
        case.stage1_handler_id = assignee.id
    _touch(ctx, case)
    record_event(
        session, case, "assigned", f"Assigned to {assignee.name}", actor, assignee_id=assignee.id
    )
    return case


def _check_stage2_handler(case: Case, actor: Actor) -> None:
    if case.stage == 2 and actor.user_id is not None and actor.user_id == case.stage1_handler_id:
        raise WorkflowError(
            "You handled this complaint at stage 1, so someone else must handle stage 2 "
            "(Code 6.13)."
        )


def _resident(session: Session, case: Case) -> Resident | None:
    return session.get(Resident, case.resident_id) if case.resident_id else None


def _resident_name(session: Session, case: Case) -> str:
    resident = _resident(session, case)
    return resident.name if resident and resident.name else ""


def write_letter(
    session: Session,
    ctx: AppContext,
    case: Case,
    actor: Actor,
    kind: str,
    **extra: Any,
) -> Message:
    """Render a letter and file it in the case as an outgoing message (5.12)."""
    context = ctx.letters.base_context(case, _resident_name(session, case), actor.name)
    context.update(extra)
    letter: Letter = ctx.letters.render(kind, context)
    resident = _resident(session, case)
    message = Message(
        case_id=case.id,
        direction=Direction.OUT,
        channel=case.channel,
        at=ctx.clock(),
        sender=ctx.settings.mail_from,
        sender_name=ctx.settings.landlord_name,
        recipients=[resident.email] if resident and resident.email else [],
        subject=letter.subject,
        body_text=letter.body,
        letter=kind,
        author_id=actor.user_id,
    )
    session.add(message)
    session.flush()
    record_event(
        session,
        case,
        "letter",
        f"Letter: {letter.subject}",
        actor,
        message_id=message.id,
        letter=kind,
    )
    return message


def preview_letter(
    session: Session, ctx: AppContext, case: Case, actor: Actor, kind: str, **extra: Any
) -> Letter:
    """The letter as it would be sent, without filing it."""
    context = ctx.letters.base_context(case, _resident_name(session, case), actor.name)
    context.update(extra)
    return ctx.letters.render(kind, context)


def acknowledgement_context(session: Session, ctx: AppContext, case: Case) -> dict[str, Any]:
    """The respond-by date an acknowledgement sent today would promise."""
    stage = case.stage or 1
    deadlines = compute_deadlines(
        case.received_at,
        calendar=ctx.calendar,
        policy=ctx.settings.policy,
        stage=stage,
        acknowledged=_today(ctx),
    )
    return {"respond_by": long_date(deadlines.respond_by)}


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
    _check_from(case, "acknowledge")
    _check_stage2_handler(case, actor)
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
    _touch(ctx, case)
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
    _check_from(case, "extend")
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
    _touch(ctx, case)
    record_event(
        session,
        case,
        "extended",
        f"Response deadline extended by {days} working days to {long_date(new_date)}: {reason}",
        actor,
        from_date=old.isoformat(),
        to_date=new_date.isoformat(),
        working_days=days,
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
    _check_from(case, "respond")
    _check_stage2_handler(case, actor)
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
    _touch(ctx, case)
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
    _check_from(case, "escalate")
    requested_at = requested_at or ctx.clock()
    clock = _open_stage(session, ctx, case, 2, requested_at, reason.strip())
    case.assignee_id = None  # a different handler must pick it up (6.13)
    case.closed_at = None
    _touch(ctx, case)
    record_event(
        session,
        case,
        "escalated",
        "Escalated to stage 2 at the resident's request; acknowledge by "
        f"{long_date(clock.acknowledge_by)}",
        actor,
        reason=reason.strip() or None,
        requested_at=requested_at.isoformat(),
    )
    return clock


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
    _check_from(case, "refuse")
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
    _touch(ctx, case)
    record_event(
        session,
        case,
        "refused",
        f"Not accepted ({ground.value.replace('_', ' ')}): {reason}",
        actor,
        ground=ground.value,
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
    _check_from(case, "close")
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
    _touch(ctx, case)
    record_event(
        session,
        case,
        "closed",
        "Closed" + (f": {note.strip()}" if note.strip() else ""),
        actor,
        outcome=case.outcome,
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
    _touch(ctx, case)
    record_event(
        session,
        case,
        "action_completed",
        f"Action completed: {action.description}",
        actor,
        action_id=action_id,
    )
    return action


def add_note(session: Session, ctx: AppContext, case: Case, actor: Actor, text: str) -> Event:
    """Any member of staff may add a note to the history."""
    if actor.user is None:
        raise PermissionDenied("Sign in to add a note.")
    text = text.strip()
    if not text:
        raise WorkflowError("The note is empty.")
    return record_event(session, case, "note", text[:2000], actor)


def link(
    session: Session,
    ctx: AppContext,
    service_request: Case,
    complaint: Case,
    actor: Actor,
    kind: LinkKind = LinkKind.COMPLAINT_ABOUT_SERVICE_REQUEST,
) -> CaseLink:
    """Link a complaint to the service request it is about; both stay open (1.5)."""
    if service_request.id == complaint.id:
        raise WorkflowError("A case cannot be linked to itself.")
    existing = session.exec(
        select(CaseLink).where(
            CaseLink.from_case_id == complaint.id,
            CaseLink.to_case_id == service_request.id,
            CaseLink.kind == kind,
        )
    ).first()
    if existing:
        return existing
    link_row = CaseLink(
        from_case_id=complaint.id or 0, to_case_id=service_request.id or 0, kind=kind
    )
    session.add(link_row)
    record_event(
        session,
        complaint,
        "linked",
        f"Linked to {service_request.reference} ({kind.value.replace('_', ' ')})",
        actor,
        other_case_id=service_request.id,
    )
    record_event(
        session,
        service_request,
        "linked",
        f"Linked to {complaint.reference} ({kind.value.replace('_', ' ')})",
        actor,
        other_case_id=complaint.id,
    )
    return link_row


def joins_existing_complaint(case: Case, *, related: bool) -> bool:
    """The 6.8 rule: a related issue before the stage 1 response joins the complaint."""
    return (
        related
        and case.label is Label.COMPLAINT
        and case.stage == 1
        and case.status in (CaseStatus.AWAITING_ACKNOWLEDGEMENT, CaseStatus.INVESTIGATING)
    )
