"""The case page, its actions, the acknowledgement preview, and the original message as received."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session
from starlette.datastructures import FormData

from intake.api.deps import Ctx, DbSession
from intake.context import AppContext
from intake.web.actions import ACTIONS
from intake.web.auth import NotAllowed, require_staff, role_words
from intake.web.case_page import case_page
from intake.web.forms import form_data, values
from intake.web.templating import flash, render_page
from intake.workflow import (
    Actor,
    ConflictError,
    PermissionDenied,
    WorkflowError,
    acknowledgement_context,
    preview_letter,
)
from store.models import (
    ROLE_RANK,
    Attachment,
    Case,
    CaseStatus,
    Inbound,
    Message,
    Role,
    StaffUser,
    format_reference,
)

router = APIRouter(include_in_schema=False)
Staff = Annotated[StaffUser, Depends(require_staff())]
TeamLead = Annotated[StaffUser, Depends(require_staff(Role.TEAM_LEAD))]
Form = Annotated[FormData, Depends(form_data)]


class CaseNotFound(Exception):
    """No case with that id (404 page)."""


def load_case(db: Session, case_id: int) -> Case:
    """The case, or a 404 page."""
    case = db.get(Case, case_id)
    if case is None:
        raise CaseNotFound(case_id)
    return case


def render_case(
    request: Request,
    db: Session,
    ctx: AppContext,
    case: Case,
    user: StaffUser,
    *,
    error: str = "",
    failed: str = "",
    submitted: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The case page; after a refusal it keeps what the person typed in the failed form."""
    typed = submitted or {}

    def field_value(action: str, name: str, default: Any) -> Any:
        return typed[name] if action == failed and name in typed else default

    page = case_page(db, ctx, case, user)
    page.update(error=error, failed=failed, field_value=field_value)
    return render_page(request, "case.html", page, status_code=status_code)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def show_case(request: Request, case_id: int, ctx: Ctx, db: DbSession, user: Staff) -> Response:
    """The whole record of one case, with the actions this person may take."""
    return render_case(request, db, ctx, load_case(db, case_id), user)


def _refusal(exc: Exception, case_id: int) -> tuple[str, int]:
    """What to tell the person, and the status, when an action did not happen."""
    if isinstance(exc, DBAPIError):
        return "The database did not answer, so nothing was saved. Try again in a moment.", 503
    if isinstance(exc, StaleDataError):
        return (
            f"Case {format_reference(case_id)} was changed by someone else at the same moment. "
            "Nothing of yours was saved.",
            409,
        )
    if isinstance(exc, ConflictError):
        return str(exc), 409
    if isinstance(exc, PermissionDenied):
        return str(exc), 403
    return str(exc), 422


@router.post("/cases/{case_id}/actions/{name}", response_model=None)
def act(
    request: Request,
    case_id: int,
    name: str,
    ctx: Ctx,
    db: DbSession,
    user: Staff,
    form: Form,
) -> Response:
    """Run one workflow action; a refusal re-shows the page with the reason and the typed text."""
    action = ACTIONS.get(name)
    if action is None:
        raise CaseNotFound(case_id)
    if ROLE_RANK[user.role] < ROLE_RANK[action.min_role]:
        raise NotAllowed(f"Only a {role_words(action.min_role)} or above can do that.")
    case = load_case(db, case_id)
    try:
        said = action.run(db, ctx, case, Actor.staff(user), form)
        db.commit()
    except (WorkflowError, StaleDataError, DBAPIError) as exc:
        db.rollback()
        message, status_code = _refusal(exc, case_id)
        db.expire_all()
        return render_case(
            request,
            db,
            ctx,
            load_case(db, case_id),
            user,
            error=message,
            failed=name,
            submitted=values(form),
            status_code=status_code,
        )
    response = RedirectResponse(f"/cases/{case_id}", status_code=303)
    flash(request, response, said)
    ctx.notify_workers()
    return response


@router.get("/cases/{case_id}/acknowledge", response_class=HTMLResponse)
def acknowledgement_preview(
    request: Request, case_id: int, ctx: Ctx, db: DbSession, user: TeamLead
) -> Response:
    """The acknowledgement letter exactly as it would go, with the button that sends it."""
    case = load_case(db, case_id)
    if case.status is not CaseStatus.AWAITING_ACKNOWLEDGEMENT:
        return render_case(
            request,
            db,
            ctx,
            case,
            user,
            error=f"Case {case.reference} is not waiting to be acknowledged.",
            status_code=409,
        )
    extra = acknowledgement_context(db, ctx, case)
    letter = preview_letter(db, ctx, case, Actor.staff(user), "acknowledgement", **extra)
    return render_page(
        request,
        "acknowledge.html",
        {"case": case, "letter": letter, "respond_by": extra.get("respond_by", "")},
    )


def _message(db: Session, case_id: int, message_id: int) -> Message:
    message = db.get(Message, message_id)
    if message is None or message.case_id != case_id:
        raise CaseNotFound(case_id)
    return message


@router.get("/cases/{case_id}/messages/{message_id}/original", response_model=None)
def original(
    case_id: int, message_id: int, db: DbSession, user: Staff, download: bool = False
) -> Response:
    """The message byte for byte as it arrived, shown as plain text, never as a page."""
    message = _message(db, case_id, message_id)
    inbound = db.get(Inbound, message.inbound_id) if message.inbound_id else None
    if inbound is None:
        raise CaseNotFound(case_id)
    suffix = "eml" if inbound.channel == "email" else "json"
    disposition = "attachment" if download else "inline"
    return Response(
        content=inbound.raw,
        media_type="text/plain; charset=utf-8",
        headers={
            "Content-Disposition": f'{disposition}; filename="message-{message_id}.{suffix}"',
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "no-store",
        },
    )


@router.get("/cases/{case_id}/attachments/{attachment_id}", response_model=None)
def attachment(case_id: int, attachment_id: int, db: DbSession, user: Staff) -> Response:
    """An attachment as a download: never opened inside the app, whatever it claims to be."""
    row = db.get(Attachment, attachment_id)
    if row is None:
        raise CaseNotFound(case_id)
    _message(db, case_id, row.message_id)
    safe_name = "".join(ch for ch in row.filename if ch.isalnum() or ch in "._- ")[:100]
    return Response(
        content=row.data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{safe_name or "attachment"}"',
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "no-store",
        },
    )
