"""Problems: quarantined messages and letters that could not be emailed, for a person to retry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from intake.api.deps import Ctx, DbSession
from intake.mail.quarantine import (
    list_failed_letters,
    list_quarantined,
    retry_letter,
    retry_message,
)
from intake.web.auth import require_staff
from intake.web.templating import flash, render_page
from intake.workflow import Actor, WorkflowError
from store.models import Role, StaffUser

router = APIRouter(prefix="/problems", include_in_schema=False)
Lead = Annotated[StaffUser, Depends(require_staff(Role.TEAM_LEAD))]


@router.get("", response_class=HTMLResponse)
def problems(request: Request, db: DbSession, user: Lead) -> HTMLResponse:
    """Everything that needs a person because the machine could not finish it."""
    return render_page(
        request,
        "problems.html",
        {"messages": list_quarantined(session=db), "letters": list_failed_letters(session=db)},
    )


def _back(request: Request, text: str, kind: str = "success") -> Response:
    response = RedirectResponse("/problems", status_code=303)
    flash(request, response, text, kind)
    return response


def _retry(
    request: Request,
    db: DbSession,
    action: Callable[[], object],
    done: str,
    after_commit: Callable[[], None] | None = None,
) -> Response:
    """Run one retry in the request's transaction and say how it went."""
    try:
        action()
        db.commit()
    except WorkflowError as problem:
        db.rollback()
        return _back(request, str(problem), "error")
    if after_commit is not None:
        after_commit()
    return _back(request, done)


@router.post("/messages/{inbound_id}/retry", response_model=None)
def retry_quarantined(
    inbound_id: int, request: Request, ctx: Ctx, db: DbSession, user: Lead
) -> Response:
    """Put a quarantined message back in the queue (after a fix, or a passing fault)."""
    return _retry(
        request,
        db,
        lambda: retry_message(db, ctx, inbound_id, Actor.staff(user)),
        "The message is back in the queue; Intake will try it again now.",
        after_commit=ctx.notify_workers,
    )


@router.post("/letters/{outbound_id}/retry", response_model=None)
def retry_failed_letter(
    outbound_id: int, request: Request, ctx: Ctx, db: DbSession, user: Lead
) -> Response:
    """Email a failed letter again (after the address or the mail relay was fixed)."""
    return _retry(
        request,
        db,
        lambda: retry_letter(db, ctx, outbound_id, Actor.staff(user)),
        "The letter will be emailed again shortly.",
    )
