"""Apply one workflow change to a case for the API: 404 if missing, 409 if someone won a race."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import HTTPException, status
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from intake.case_views import case_detail
from intake.context import AppContext
from store.models import Case


def apply_change(
    ctx: AppContext, session: Session, case_id: int, change: Callable[[Case], Any]
) -> dict[str, Any]:
    """Run `change` on the case and commit; the whole record comes back."""
    case = session.get(Case, case_id)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"There is no case with id {case_id}.")
    try:
        change(case)
        session.commit()
    except StaleDataError:
        session.rollback()
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"Case {case.reference} was changed by someone else at the same moment. Reload it "
            "and try again.",
        ) from None
    session.refresh(case)
    return case_detail(session, ctx, case)
