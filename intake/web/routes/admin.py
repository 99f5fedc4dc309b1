"""Admin: staff accounts, roles, disabling an account, and one-time passwords."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session, col, func, select
from starlette.datastructures import FormData

from intake.api.deps import DbSession
from intake.security import hash_password, one_time_password
from intake.web import forms
from intake.web.auth import current_session, require_staff
from intake.web.forms import FormProblem, form_data
from intake.web.sessions import end_all_sessions
from intake.web.templating import flash, render_page
from store.crud import create_user, get_user_by_email
from store.models import Role, StaffUser, WebSession

router = APIRouter(prefix="/admin", include_in_schema=False)
Admin = Annotated[StaffUser, Depends(require_staff(Role.ADMIN))]
Form = Annotated[FormData, Depends(form_data)]


def _page(
    request: Request,
    db: Session,
    *,
    error: str = "",
    typed: dict[str, str] | None = None,
    created: tuple[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    users = db.exec(select(StaffUser).order_by(col(StaffUser.email))).all()
    sessions = dict(
        db.exec(select(WebSession.user_id, func.count()).group_by(col(WebSession.user_id))).all()
    )
    return render_page(
        request,
        "admin_users.html",
        {
            "users": users,
            "sessions": sessions,
            "roles": list(Role),
            "error": error,
            "typed": typed or {},
            "created": created,
        },
        status_code=status_code,
    )


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, db: DbSession, admin: Admin) -> HTMLResponse:
    """Everyone with an account."""
    return _page(request, db)


@router.post("/users", response_class=HTMLResponse)
def add_user(request: Request, db: DbSession, admin: Admin, form: Form) -> HTMLResponse:
    """Create an account; its one-time password is shown once, here, and never stored."""
    try:
        email = forms.text(form, "email", limit=320, required="Give the person's email address.")
        if "@" not in email or " " in email:
            raise FormProblem(f"{email!r} is not an email address.")
        role = forms.choice(form, "role", Role, required="Choose a role.")
        assert role is not None
        if get_user_by_email(session=db, email=email) is not None:
            raise FormProblem(f"There is already an account for {email}.")
    except FormProblem as problem:
        return _page(request, db, error=str(problem), typed=forms.values(form), status_code=422)
    password = one_time_password()
    create_user(
        session=db,
        email=email,
        role=role,
        password_hash=hash_password(password),
        display_name=forms.text(form, "display_name", limit=200),
    )
    db.commit()
    return _page(request, db, created=(email.lower(), password))


def _own_session(request: Request, admin: StaffUser, user: StaffUser) -> WebSession | None:
    # Changing your own account must not sign you out of the page you are using.
    return current_session(request).session if user.id == admin.id else None


def _change_problem(admin: StaffUser, user: StaffUser, role: Role | None, active: bool) -> str:
    if user.id == admin.id and (role not in (None, Role.ADMIN) or not active):
        return "You cannot remove your own admin rights or disable your own account."
    return ""


@router.post("/users/{user_id}", response_model=None)
def change_user(
    request: Request, user_id: int, db: DbSession, admin: Admin, form: Form
) -> Response:
    """Change a role, disable or re-enable an account, or issue a new one-time password."""
    user = db.get(StaffUser, user_id)
    if user is None:
        return _page(request, db, error="There is no such account.", status_code=404)
    what = forms.text(form, "change", limit=20)
    if what == "reset":
        password = one_time_password()
        user.password_hash = hash_password(password)
        user.must_change_password = True
        end_all_sessions(db, user_id, keep=_own_session(request, admin, user))
        db.commit()
        return _page(request, db, created=(user.email, password))
    try:
        role = forms.choice(form, "role", Role) if what == "role" else None
    except FormProblem as bad:
        return _page(request, db, error=str(bad), status_code=422)
    active = {"disable": False, "enable": True}.get(what, user.is_active)
    problem = _change_problem(admin, user, role, active)
    if problem or what not in ("role", "disable", "enable"):
        return _page(request, db, error=problem or "Choose a change to make.", status_code=422)
    if role is not None:
        user.role = role
    user.is_active = active
    # A new role or a disabled account takes effect now, not when the old session expires.
    end_all_sessions(db, user_id, keep=_own_session(request, admin, user))
    db.commit()
    response = RedirectResponse("/admin/users", status_code=303)
    flash(request, response, f"Updated {user.email}.")
    return response
