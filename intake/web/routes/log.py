"""The staff form: log what a resident said by phone or in person (Code 3.2)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.exc import DBAPIError
from starlette.datastructures import FormData

from intake.api.deps import Ctx, DbSession
from intake.context import AppContext
from intake.inbound import InboundMessage
from intake.submit import submit
from intake.web import forms
from intake.web.auth import require_staff
from intake.web.forms import FormProblem, form_data
from intake.web.templating import flash, render_page
from intake.workflow import Actor
from store.models import Channel, StaffUser

router = APIRouter(include_in_schema=False)
Staff = Annotated[StaffUser, Depends(require_staff())]
# Email, chat and Slack arrive by themselves; these are the ways a person passes one on.
LOGGABLE = (
    Channel.PHONE,
    Channel.IN_PERSON,
    Channel.LETTER,
    Channel.SOCIAL_MEDIA,
    Channel.STAFF_FORM,
    Channel.OTHER,
)
RESIDENT_FIELDS = {
    "name": 200,
    "email": 320,
    "phone": 50,
    "address": 500,
    "tenancy_ref": 100,
    "contact_preference": 100,
}


def _page(
    request: Request,
    ctx: AppContext,
    *,
    error: str = "",
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    now = ctx.clock().astimezone(ctx.calendar.zone)
    return render_page(
        request,
        "log.html",
        {
            "channels": LOGGABLE,
            "error": error,
            "typed": typed or {},
            "now": now.strftime("%Y-%m-%dT%H:%M"),
        },
        status_code=status_code,
    )


@router.get("/log", response_class=HTMLResponse)
def log_form(request: Request, ctx: Ctx, user: Staff) -> HTMLResponse:
    """The empty form."""
    return _page(request, ctx)


def _received_at(ctx: AppContext, form: FormData) -> datetime | None:
    raw = forms.text(form, "received_at", limit=30)
    if not raw:
        return None
    try:
        local = datetime.fromisoformat(raw)
    except ValueError:
        raise FormProblem(f"{raw!r} is not a date and time.") from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ctx.calendar.zone)
    moment = local.astimezone(UTC)
    if moment > ctx.clock():
        raise FormProblem("When the resident said it cannot be in the future.")
    return moment


def build_message(ctx: AppContext, form: FormData, user: StaffUser) -> InboundMessage:
    """The InboundMessage every channel produces, from the form's fields."""
    channel = forms.choice(form, "channel", Channel, required="Say how the resident told you.")
    if channel not in LOGGABLE:
        raise FormProblem("Choose phone, in person, letter, social media, staff form or other.")
    assert channel is not None
    text = forms.text(
        form,
        "text",
        limit=ctx.settings.max_message_chars,
        required="Write down what the resident said.",
    )
    resident = {
        key: forms.text(form, f"resident_{key}", limit=n) for key, n in RESIDENT_FIELDS.items()
    }
    representative: dict[str, Any] = {}
    rep_name = forms.text(form, "rep_name", limit=200)
    if rep_name:
        representative = {
            "name": rep_name,
            "relationship": forms.text(form, "rep_relationship", limit=100),
            "consent_obtained": forms.checked(form, "rep_consent"),
        }
    return InboundMessage(
        channel=channel.value,
        text=text,
        subject=forms.text(form, "subject", limit=500),
        received_at=_received_at(ctx, form),
        sender=resident["email"] or resident["phone"],
        sender_name=resident["name"],
        resident={k: v for k, v in resident.items() if v},
        representative=representative,
        meta={"logged_by": user.email, "logged_via": "staff web form"},
    )


@router.post("/log", response_model=None)
def log_message(
    request: Request,
    ctx: Ctx,
    db: DbSession,
    user: Staff,
    form: Annotated[FormData, Depends(form_data)],
) -> Response:
    """Store and queue the message durably, open its case, and show it."""
    try:
        message = build_message(ctx, form, user)
    except FormProblem as problem:
        return _page(request, ctx, error=str(problem), typed=forms.values(form), status_code=422)
    try:
        _, case = submit(db, ctx, message, actor=Actor.staff(user), open_new_case=True)
        db.commit()
    except DBAPIError:
        # Not stored, so not accepted: say so, and keep every word typed for another try.
        db.rollback()
        return _page(
            request,
            ctx,
            error="The message could not be saved just now (the database did not answer). "
            "Nothing you typed is lost: try again in a moment.",
            typed=forms.values(form),
            status_code=503,
        )
    ctx.notify_workers()
    assert case is not None
    response = RedirectResponse(f"/cases/{case.id}", status_code=303)
    flash(
        request,
        response,
        f"Logged as {case.reference}. Intake is reading it; its proposal appears here shortly.",
    )
    return response
