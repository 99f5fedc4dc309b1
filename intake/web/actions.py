"""What each button on the case page does: read its form, call the workflow, say what happened.

Every change goes through intake.workflow, which checks the role, the case's state and the
version the person saw; this module only turns form fields into those calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlmodel import Session, select
from starlette.datastructures import FormData

from intake import workflow
from intake.context import AppContext
from intake.letters import long_date
from intake.web import forms
from intake.web.forms import FormProblem
from intake.workflow import Actor, current_stage
from store.models import (
    Case,
    ExclusionGround,
    Label,
    LinkKind,
    Outcome,
    Role,
    StaffUser,
)

Handler = Callable[[Session, AppContext, Case, Actor, FormData], str]


@dataclass(frozen=True)
class Action:
    """A case-page action: who may use it and what it does."""

    min_role: Role
    run: Handler


def _confirm(db: Session, ctx: AppContext, case: Case, actor: Actor, form: FormData) -> str:
    label = forms.choice(form, "label", Label, required="Choose what this message is.")
    assert label is not None
    stage = None
    definition = None
    if label is Label.COMPLAINT:
        stage = int(forms.text(form, "stage", limit=1) or 1)
        if stage not in (1, 2):
            raise FormProblem("A complaint is at stage 1 or stage 2.")
        definition = forms.definition(form)
    workflow.confirm(
        db,
        ctx,
        case,
        actor,
        label=label,
        stage=stage,
        definition=definition,
        expected_version=forms.version(form),
    )
    said = f"Confirmed {case.reference} as {label.value.replace('_', ' ')}"
    if case.next_deadline:
        said += f"; acknowledge by {long_date(case.next_deadline)}"
    return said + "."


def _definition(db: Session, ctx: AppContext, case: Case, actor: Actor, form: FormData) -> str:
    workflow.edit_definition(
        db, ctx, case, actor, forms.definition(form), expected_version=forms.version(form)
    )
    return "Saved the complaint definition."


def _assign(db: Session, ctx: AppContext, case: Case, actor: Actor, form: FormData) -> str:
    assignee_id = forms.whole_number(form, "assignee_id")
    assignee = db.get(StaffUser, assignee_id) if assignee_id else None
    if assignee is None:
        raise FormProblem("Choose who should handle this case.")
    workflow.assign(db, ctx, case, actor, assignee, expected_version=forms.version(form))
    return f"Assigned {case.reference} to {assignee.name}."


def _acknowledge(db: Session, ctx: AppContext, case: Case, actor: Actor, form: FormData) -> str:
    workflow.acknowledge(db, ctx, case, actor, expected_version=forms.version(form))
    clock = current_stage(db, case)
    due = long_date(clock.respond_by) if clock and clock.respond_by else ""
    return f"Acknowledged; the letter is in the case history. The response is due by {due}."


def _extend(db: Session, ctx: AppContext, case: Case, actor: Actor, form: FormData) -> str:
    new_date = forms.day(form, "new_date", required="Choose the new response date.")
    assert new_date is not None
    workflow.extend(
        db,
        ctx,
        case,
        actor,
        new_date=new_date,
        reason=forms.text(form, "reason", required="Give the reason for the extension (6.5)."),
        agreed_with_resident=forms.checked(form, "agreed_with_resident"),
        expected_version=forms.version(form),
    )
    return f"Extended the response deadline to {long_date(new_date)}; the letter is filed."


def _respond(db: Session, ctx: AppContext, case: Case, actor: Actor, form: FormData) -> str:
    decision = forms.choice(form, "decision", Outcome, required="Choose the decision.")
    assert decision is not None
    actions = []
    for index in range(1, 4):
        description = forms.text(form, f"action_{index}", limit=2000)
        if description:
            actions.append(
                {
                    "description": description,
                    "owner": forms.text(form, f"action_{index}_owner", limit=200),
                    "due_on": forms.day(form, f"action_{index}_due"),
                }
            )
    workflow.respond(
        db,
        ctx,
        case,
        actor,
        decision=decision,
        reasons=forms.text(form, "reasons", limit=20_000),
        remedy=forms.text(form, "remedy"),
        compensation_pence=forms.pounds_to_pence(form, "compensation"),
        actions=actions,
        expected_version=forms.version(form),
    )
    return f"Recorded the stage {case.stage} response; the letter is filed."


def _escalate(db: Session, ctx: AppContext, case: Case, actor: Actor, form: FormData) -> str:
    requested_on = forms.day(form, "requested_on")
    requested_at = None
    if requested_on is not None:
        today = ctx.calendar.local_date(ctx.clock())
        if requested_on > today:
            raise FormProblem("The date the resident asked cannot be in the future.")
        requested_at = (
            ctx.clock()
            if requested_on == today
            else datetime.combine(requested_on, time(12), ctx.calendar.zone).astimezone(UTC)
        )
    clock = workflow.escalate(
        db,
        ctx,
        case,
        actor,
        requested_at=requested_at,
        reason=forms.text(form, "reason"),
        expected_version=forms.version(form),
    )
    return (
        f"Escalated to stage 2; acknowledge by {long_date(clock.acknowledge_by)}. "
        "Assign a handler who did not handle stage 1."
    )


def _refuse(db: Session, ctx: AppContext, case: Case, actor: Actor, form: FormData) -> str:
    ground = forms.choice(form, "ground", ExclusionGround, required="Choose the exclusion.")
    assert ground is not None
    workflow.refuse(
        db,
        ctx,
        case,
        actor,
        ground=ground,
        reason=forms.text(form, "reason"),
        expected_version=forms.version(form),
    )
    return "Recorded the refusal; the letter with the Ombudsman's details is filed."


def _close(db: Session, ctx: AppContext, case: Case, actor: Actor, form: FormData) -> str:
    workflow.close(
        db,
        ctx,
        case,
        actor,
        outcome=forms.choice(form, "outcome", Outcome),
        remedy=forms.text(form, "remedy") or None,
        note=forms.text(form, "note", limit=2000),
        expected_version=forms.version(form),
    )
    return f"Closed {case.reference}."


def _complete(db: Session, ctx: AppContext, case: Case, actor: Actor, form: FormData) -> str:
    action_id = forms.whole_number(form, "action_id")
    if action_id is None:
        raise FormProblem("Choose the action that is done.")
    done = workflow.complete_action(db, ctx, case, actor, action_id)
    return f"Marked done: {done.description}"


def _note(db: Session, ctx: AppContext, case: Case, actor: Actor, form: FormData) -> str:
    workflow.add_note(db, ctx, case, actor, forms.text(form, "text", limit=2000))
    return "Added your note to the history."


def _link(db: Session, ctx: AppContext, case: Case, actor: Actor, form: FormData) -> str:
    raw = forms.text(form, "other", limit=20, required="Give the other case's reference.")
    digits = raw.upper().removeprefix("INT-").lstrip("0")
    other = db.get(Case, int(digits)) if digits.isdigit() and len(digits) < 10 else None
    if other is None:
        raise FormProblem(f"There is no case {raw}.")
    kind = forms.choice(form, "kind", LinkKind) or LinkKind.RELATED
    if kind is LinkKind.COMPLAINT_ABOUT_SERVICE_REQUEST:
        # link() wants the service request first, whichever page the person was on.
        labels = {case.id: case.label or case.proposed_label, other.id: other.label}
        if labels[case.id] is Label.SERVICE_REQUEST or labels[other.id] is Label.COMPLAINT:
            workflow.link(db, ctx, case, other, actor, kind)
        else:
            workflow.link(db, ctx, other, case, actor, kind)
    else:
        workflow.link(db, ctx, other, case, actor, kind)
    return f"Linked {case.reference} and {other.reference}."


def _vulnerability(db: Session, ctx: AppContext, case: Case, actor: Actor, form: FormData) -> str:
    notes = forms.text(form, "notes", limit=2000, required="Say what the resident told you.")
    workflow.record_vulnerability(db, ctx, case, actor, notes=notes)
    return "Recorded the vulnerability with the case."


def _adjustment(db: Session, ctx: AppContext, case: Case, actor: Actor, form: FormData) -> str:
    adjustment = workflow.add_adjustment(
        db,
        ctx,
        case,
        actor,
        description=forms.text(form, "description", limit=1000),
        review_on=forms.day(form, "review_on"),
    )
    return f"Recorded the adjustment: {adjustment.description}"


def _review(db: Session, ctx: AppContext, case: Case, actor: Actor, form: FormData) -> str:
    adjustment_id = forms.whole_number(form, "adjustment_id")
    if adjustment_id is None:
        raise FormProblem("Choose the adjustment you reviewed.")
    keep = forms.text(form, "outcome", limit=10) != "end"
    workflow.review_adjustment(
        db,
        ctx,
        case,
        actor,
        adjustment_id,
        keep=keep,
        next_review_on=forms.day(form, "next_review_on") if keep else None,
    )
    return "Recorded the review." if keep else "Ended the adjustment."


ACTIONS: dict[str, Action] = {
    "confirm": Action(Role.TEAM_LEAD, _confirm),
    "definition": Action(Role.TEAM_LEAD, _definition),
    "assign": Action(Role.TEAM_LEAD, _assign),
    "acknowledge": Action(Role.TEAM_LEAD, _acknowledge),
    "extend": Action(Role.TEAM_LEAD, _extend),
    "respond": Action(Role.TEAM_LEAD, _respond),
    "escalate": Action(Role.TEAM_LEAD, _escalate),
    "refuse": Action(Role.TEAM_LEAD, _refuse),
    "close": Action(Role.TEAM_LEAD, _close),
    "complete-action": Action(Role.TEAM_LEAD, _complete),
    "link": Action(Role.TEAM_LEAD, _link),
    "note": Action(Role.FRONTLINE, _note),
    # Any member of staff may learn of a vulnerability or agree an adjustment (5.10, 6.1).
    "vulnerability": Action(Role.FRONTLINE, _vulnerability),
    "adjustment": Action(Role.FRONTLINE, _adjustment),
    "review-adjustment": Action(Role.TEAM_LEAD, _review),
}


def assignable_staff(db: Session) -> list[StaffUser]:
    """People a case can be given to."""
    return list(
        db.exec(
            select(StaffUser).where(StaffUser.is_active == True).order_by(StaffUser.email)  # noqa: E712
        ).all()
    )
