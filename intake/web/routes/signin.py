"""Sign in, sign out, choose a new password, and keep a session alive while someone types."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from intake.api.deps import Ctx, DbSession
from intake.security import hash_password, needs_rehash, verify_password
from intake.web.auth import (
    complete_sign_in,
    current_session,
    issue_login_csrf,
    login_csrf_ok,
    require_staff,
    safe_next,
    set_login_csrf_cookie,
)
from intake.web.routes.sso import provider
from intake.web.sessions import SESSION_COOKIE, end_all_sessions, end_session, load_session
from intake.web.templating import flash, render_page
from intake.web.throttle import SignInThrottle
from store.crud import get_user_by_email
from store.models import StaffUser

router = APIRouter(include_in_schema=False)

MIN_PASSWORD = 12
BAD_CREDENTIALS = "That email address and password do not match an active account."
Staff = Annotated[StaffUser, Depends(require_staff())]


def _throttle(request: Request) -> SignInThrottle:
    throttle: SignInThrottle = request.app.state.web_throttle
    return throttle


def _login_page(
    request: Request, *, next_url: str, email: str = "", error: str = "", status_code: int = 200
) -> HTMLResponse:
    issue_login_csrf(request)
    notice = ""
    if request.query_params.get("expired"):
        notice = "You were signed out because you were away for a while. Sign in again."
    response = render_page(
        request,
        "login.html",
        {
            "next_url": next_url,
            "email": email,
            "error": error,
            "notice": notice,
            "sso_label": oidc.label if (oidc := provider(request)) else "",
        },
        status_code=status_code,
    )
    set_login_csrf_cookie(request, response)
    return response


@router.get("/login", response_model=None)
def login_form(request: Request, ctx: Ctx, db: DbSession, next: str = "/") -> Response:
    """The sign-in page; someone already signed in goes straight on."""
    if load_session(db, ctx, request.cookies.get(SESSION_COOKIE)) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next_url=safe_next(next))


@router.post("/login", response_model=None)
def login(
    request: Request,
    db: DbSession,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password (argon2) and open a session."""
    next_url = safe_next(next)
    if not login_csrf_ok(request, csrf_token):
        return _login_page(
            request,
            next_url=next_url,
            email=email,
            error="The sign-in form had expired. Please try again.",
            status_code=403,
        )
    throttle = _throttle(request)
    wait = throttle.minutes_locked(db, email)
    if wait:
        return _login_page(
            request,
            next_url=next_url,
            email=email,
            error=f"Too many failed attempts for this account. Try again in {wait} minutes, "
            "or ask an admin to reset your password.",
            status_code=429,
        )
    user = get_user_by_email(session=db, email=email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        throttle.failed(db, email)
        return _login_page(
            request, next_url=next_url, email=email, error=BAD_CREDENTIALS, status_code=401
        )
    throttle.succeeded(db, email)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return complete_sign_in(request, db, user, method="password", next_url=next_url)


@router.post("/logout", response_model=None)
def logout(request: Request, db: DbSession, user: Staff) -> Response:
    """End this session now."""
    end_session(db, request.cookies.get(SESSION_COOKIE))
    db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account/password", response_model=None)
def password_form(request: Request, user: Staff) -> Response:
    """Choose a new password (required after a one-time password)."""
    return render_page(request, "password.html", {"error": "", "forced": user.must_change_password})


def _password_problem(user: StaffUser, current: str, new: str, again: str) -> str:
    if not verify_password(user.password_hash, current):
        return "Your current password is not right."
    if len(new) < MIN_PASSWORD:
        return f"Choose a password of at least {MIN_PASSWORD} characters."
    if new != again:
        return "The two new passwords are different."
    if new == current:
        return "Choose a password different from the current one."
    if new.strip().lower() == user.email.lower():
        return "Your password must not be your email address."
    return ""


@router.post("/account/password", response_model=None)
def change_password(
    request: Request,
    db: DbSession,
    user: Staff,
    current: Annotated[str, Form(max_length=1000)] = "",
    new: Annotated[str, Form(max_length=1000)] = "",
    again: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Store the new password and end every other session of this person."""
    problem = _password_problem(user, current, new, again)
    if problem:
        return render_page(
            request,
            "password.html",
            {"error": problem, "forced": user.must_change_password},
            status_code=422,
        )
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_all_sessions(db, user.id or 0, keep=current_session(request).session)
    db.commit()
    response = RedirectResponse("/", status_code=303)
    flash(request, response, "Your password has been changed.")
    return response


@router.post("/keepalive")
def keepalive(user: Staff) -> dict[str, bool]:
    """Someone is typing a long note: count it as activity so the session does not expire."""
    return {"ok": True}
