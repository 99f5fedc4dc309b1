"""Deciding what a case is: confirm, define, assign, link, note, and the 6.8 joining rule."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from intake.context import AppContext
from intake.definition import DEFINITION_PARTS
from intake.workflow.base import (
    STATUS_WORDS,
    Actor,
    PermissionDenied,
    WorkflowError,
    check_from,
    check_version,
    open_stage,
    record_event,
    require_role,
    touch,
)
from store.models import (
    Case,
    CaseLink,
    CaseStatus,
    Event,
    Label,
    LinkKind,
    Role,
    StaffUser,
)


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
    check_from(case, "confirm")
    now = ctx.clock()
    if label is Label.COMPLAINT:
        stage = stage or 1
        if definition is not None:
            case.definition = clean_definition(definition)
        if not (case.definition or {}).get("issues"):
            raise WorkflowError(
                "A complaint needs a definition: say at least one thing the resident is "
                "unhappy about (Code 5.6)."
            )
        open_stage(session, ctx, case, stage, case.received_at)
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
    touch(ctx, case)
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
        at=ctx.clock(),
    )
    return case


def clean_definition(definition: dict[str, Any]) -> dict[str, list[str]]:
    keys = DEFINITION_PARTS
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
    case.definition = clean_definition(definition)
    touch(ctx, case)
    record_event(
        session,
        case,
        "definition_edited",
        "Edited the complaint definition",
        actor,
        before=before,
        after=case.definition,
        at=ctx.clock(),
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
    touch(ctx, case)
    record_event(
        session,
        case,
        "assigned",
        f"Assigned to {assignee.name}",
        actor,
        assignee_id=assignee.id,
        at=ctx.clock(),
    )
    return case


def add_note(session: Session, ctx: AppContext, case: Case, actor: Actor, text: str) -> Event:
    """Any member of staff may add a note to the history."""
    if actor.user is None:
        raise PermissionDenied("Sign in to add a note.")
    text = text.strip()
    if not text:
        raise WorkflowError("The note is empty.")
    return record_event(session, case, "note", text[:2000], actor, at=ctx.clock())


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
        at=ctx.clock(),
    )
    record_event(
        session,
        service_request,
        "linked",
        f"Linked to {complaint.reference} ({kind.value.replace('_', ' ')})",
        actor,
        other_case_id=complaint.id,
        at=ctx.clock(),
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
