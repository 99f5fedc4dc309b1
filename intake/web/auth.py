"""Who may see a staff page: require_staff(min_role), CSRF on state changes, sign-in cookies."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session

from intake.api.deps import get_session
from intake.context import AppContext
from intake.web.sessions import SESSION_COOKIE, SignedIn, load_session, start_session
from store.models import ROLE_RANK, Role, StaffUser

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_CSRF_COOKIE = "intake_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
# Pages a person with a one-time password may still reach before choosing their own.
PASSWORD_PAGES = frozenset({"/account/password", "/logout"})


class SignInRequired(Exception):
    """No live session: browsers go to the sign-in page, other clients get 401."""


class NotAllowed(Exception):
    """Signed in, but the role does not reach this page or action (403)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CsrfFailed(Exception):
    """A state-changing request without this session's form token (403)."""


class PasswordChangeRequired(Exception):
    """Signed in with a one-time password: choose a new one first."""


def wants_html(request: Request) -> bool:
    """A browser navigating (as opposed to a script calling us)."""
    return "text/html" in request.headers.get("accept", "")


def role_words(role: Role) -> str:
    """'team lead', for messages."""
    return role.value.replace("_", " ")


def _signed_in(min_role: Role) -> Callable[[Request, Session], SignedIn]:
    def dependency(request: Request, db: Annotated[Session, Depends(get_session)]) -> SignedIn:
        ctx: AppContext = request.app.state.ctx
        who = load_session(db, ctx, request.cookies.get(SESSION_COOKIE))
        if who is None:
            raise SignInRequired
        request.state.signed_in = who
        one_time = who.user.must_change_password and who.session.method == "password"
        if one_time and request.url.path not in PASSWORD_PAGES:
            raise PasswordChangeRequired
        if ROLE_RANK[who.user.role] < ROLE_RANK[min_role]:
            raise NotAllowed(
                f"This page is for {role_words(min_role)}s"
                + (" and admins" if min_role is not Role.ADMIN else "")
                + f". You are signed in as a {role_words(who.user.role)}."
            )
        return who

    return dependency


async def check_csrf(request: Request, who: SignedIn) -> None:
    """Refuse a state change unless it carries this session's token (form field or header)."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), who.csrf_token.encode()):
        raise CsrfFailed


def require_staff(min_role: Role = Role.FRONTLINE) -> Callable[..., Awaitable[StaffUser]]:
    """A FastAPI dependency: the signed-in StaffUser with at least `min_role`.

    Browsers without a session are sent to the sign-in page (401 for other clients); a lower
    role gets 403; POST/PUT/PATCH/DELETE must carry the session's CSRF token.
    """
    signed_in = _signed_in(min_role)

    # A default, not Annotated: the closure's `signed_in` is not a module name the
    # postponed annotation could be resolved against.
    async def dependency(request: Request, who: SignedIn = Depends(signed_in)) -> StaffUser:
        await check_csrf(request, who)
        return who.user

    return dependency


def current_session(request: Request) -> SignedIn:
    """The SignedIn of a request that passed require_staff."""
    who: SignedIn = request.state.signed_in
    return who


# --- signing in ----------------------------------------------------------------------------


def _login_serializer(ctx: AppContext) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(ctx.settings.secret_key.get_secret_value(), salt="intake-login")


def issue_login_csrf(request: Request) -> str:
    """A token for the sign-in form, before there is a session to hold one."""
    existing = request.cookies.get(LOGIN_CSRF_COOKIE)
    ctx: AppContext = request.app.state.ctx
    if existing:
        try:
            token = _login_serializer(ctx).loads(existing, max_age=3600)
            if isinstance(token, str):
                request.state.login_csrf = token
                return token
        except BadSignature:
            pass
    token = secrets.token_urlsafe(24)
    request.state.login_csrf = token
    request.state.set_login_csrf = _login_serializer(ctx).dumps(token)
    return token


def set_login_csrf_cookie(request: Request, response: Response) -> None:
    """Store the sign-in form's token in a signed cookie (double submit)."""
    value = getattr(request.state, "set_login_csrf", None)
    if value:
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            value,
            max_age=3600,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/login",
        )


def login_csrf_ok(request: Request, sent: str) -> bool:
    """The sign-in form's token matches the signed cookie this browser holds."""
    ctx: AppContext = request.app.state.ctx
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    try:
        token = _login_serializer(ctx).loads(cookie, max_age=3600)
    except BadSignature:
        return False
    return isinstance(token, str) and bool(sent) and hmac.compare_digest(token, sent)


def safe_next(target: str | None) -> str:
    """Only same-site paths: a sign-in link must not bounce staff to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def sign_in_url(request: Request) -> str:
    """Where a browser without a session is sent, remembering the page it wanted."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method not in SAFE_METHODS:
        # The form's page, not its POST-only action.
        referer = urlsplit(request.headers.get("referer", ""))
        target = referer.path if referer.netloc == request.url.netloc else "/"
    url = "/login?next=" + quote(safe_next(target), safe="/")
    # A cookie that no longer opens a session means it timed out (or was signed out elsewhere).
    return url + ("&expired=1" if request.cookies.get(SESSION_COOKIE) else "")


def complete_sign_in(
    request: Request, db: Session, user: StaffUser, *, method: str, next_url: str = "/"
) -> RedirectResponse:
    """The one way in for every sign-in method (password today, OpenID Connect tomorrow)."""
    ctx: AppContext = request.app.state.ctx
    token = start_session(
        db, ctx, user, method=method, user_agent=request.headers.get("user-agent", "")
    )
    db.commit()
    # Only a password sign-in can have used a one-time password.
    one_time = method == "password" and user.must_change_password
    target = "/account/password" if one_time else safe_next(next_url)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https" or ctx.settings.public_url.startswith("https:"),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response
