"""Everything the case page shows, and which of the workflow's actions this person may take."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from intake.case_views import case_detail
from intake.context import AppContext
from intake.definition import complete_definition
from intake.web.actions import assignable_staff
from intake.workflow import ALLOWED_FROM
from store.models import (
    ROLE_RANK,
    Case,
    CaseStatus,
    ExclusionGround,
    Label,
    LinkKind,
    Outcome,
    ReasonableAdjustment,
    Role,
    StaffUser,
)

FINISHED = (CaseStatus.CLOSED, CaseStatus.REFUSED)


def available_actions(case: Case, user: StaffUser, open_actions: int) -> list[str]:
    """The actions to offer: the person's role allows them and the case's state permits them."""
    actions = ["note", "vulnerability"]
    if case.resident_id is not None:
        actions.append("adjustment")
    if ROLE_RANK[user.role] < ROLE_RANK[Role.TEAM_LEAD]:
        return actions
    if case.resident_id is not None:
        actions.append("review-adjustment")
    status = case.status
    for name in ("confirm", "acknowledge", "extend", "respond", "refuse", "close"):
        if status in ALLOWED_FROM[name]:
            actions.append(name)
    if case.label is Label.COMPLAINT and case.stage == 1 and status in ALLOWED_FROM["escalate"]:
        actions.append("escalate")
    if status not in FINISHED:
        actions += ["assign", "link"]
        if case.label in (Label.COMPLAINT, None):
            actions.append("definition")
    if open_actions:
        actions.append("complete-action")
    return actions


def case_page(db: Session, ctx: AppContext, case: Case, user: StaffUser) -> dict[str, Any]:
    """The page's data: the full record plus names, links and the allowed actions."""
    detail = case_detail(db, ctx, case)
    people = {
        u.id: u
        for u in db.exec(select(StaffUser)).all()  # a landlord has tens of staff, not thousands
    }
    linked_ids = {
        link["to_case_id"] if link["from_case_id"] == case.id else link["from_case_id"]
        for link in detail["links"]
    }
    linked = (
        {c.id: c for c in db.exec(select(Case).where(col(Case.id).in_(linked_ids))).all()}
        if linked_ids
        else {}
    )
    open_actions = [a for a in detail["actions"] if a["completed_at"] is None]
    adjustments = (
        db.exec(
            select(ReasonableAdjustment)
            .where(ReasonableAdjustment.resident_id == case.resident_id)
            .order_by(col(ReasonableAdjustment.id))
        ).all()
        if case.resident_id
        else []
    )
    definition = complete_definition(case.definition)
    return {
        "case": case,
        "d": detail,
        "definition": definition,
        "people": people,
        "linked": linked,
        "open_actions": open_actions,
        "adjustments": adjustments,
        "actions": available_actions(case, user, len(open_actions)),
        "staff": assignable_staff(db),
        "labels": list(Label),
        "outcomes": [o for o in Outcome if o is not Outcome.RESOLVED],
        "close_outcomes": list(Outcome),
        "grounds": list(ExclusionGround),
        "link_kinds": list(LinkKind),
        "today": ctx.calendar.local_date(ctx.clock()),
    }
