"""Step `deadlines`: a new case's acknowledgement clock runs from receipt (6.2)."""

from __future__ import annotations

from sqlmodel import Session

from intake.context import AppContext
from intake.pipeline.item import WorkItem
from intake.workflow import provisional_deadline
from store.models import CaseStatus


def run(item: WorkItem, ctx: AppContext, session: Session) -> None:
    """Until a person confirms it, a new case is timed as if it were a stage 1 complaint."""
    case = item.case
    assert case is not None
    if case.status is CaseStatus.NEW:
        provisional_deadline(ctx, case)
        item.explain(
            "deadlines",
            acknowledge_by=case.next_deadline.isoformat() if case.next_deadline else None,
        )
