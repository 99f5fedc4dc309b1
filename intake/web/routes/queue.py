"""The triage queue page: every unconfirmed and open case, most urgent first, with filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlmodel import col, select

from intake.api.deps import Ctx, DbSession
from intake.web.auth import require_staff
from intake.web.queue_data import FLAGS, parse_params, queue_page
from intake.web.templating import render_page
from store.models import CaseStatus, Channel, Label, StaffUser

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def queue(
    request: Request,
    ctx: Ctx,
    db: DbSession,
    user: Annotated[StaffUser, Depends(require_staff())],
) -> HTMLResponse:
    """The queue team leads work from; filters and search live in the address bar."""
    params = parse_params(request.query_params)
    page = queue_page(db, ctx, params, user)
    staff = db.exec(
        select(StaffUser).where(col(StaffUser.is_active).is_(True)).order_by(col(StaffUser.email))
    ).all()
    return render_page(
        request,
        "queue.html",
        {
            **page,
            "params": params,
            "labels": list(Label),
            "statuses": list(CaseStatus),
            "channels": list(Channel),
            "flags": FLAGS,
            "staff": staff,
        },
    )
