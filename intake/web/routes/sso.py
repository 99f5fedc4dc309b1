"""Single sign-on routes: off to the OpenID Connect provider, and back into a session."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from intake.api.deps import Ctx, DbSession
from intake.context import AppContext
from intake.web.auth import complete_sign_in, issue_login_csrf, safe_next, set_login_csrf_cookie
from intake.web.oidc import OidcError, OidcProvider, Transaction, match_user
from intake.web.templating import render_page

router = APIRouter(include_in_schema=False)
COOKIE = "intake_oidc"
MAX_AGE_SECONDS = 600  # long enough to sign in at the provider, short enough not to linger


def provider(request: Request) -> OidcProvider | None:
    """The configured provider, or None."""
    found: OidcProvider | None = getattr(request.app.state, "web_oidc", None)
    return found


def _serializer(ctx: AppContext) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(ctx.settings.secret_key.get_secret_value(), salt="intake-oidc")


def _refused(request: Request, message: str, status_code: int = 401) -> Response:
    issue_login_csrf(request)
    response = render_page(
        request,
        "login.html",
        {
            "next_url": "/",
            "email": "",
            "error": message,
            "notice": "",
            "sso_label": oidc.label if (oidc := provider(request)) else "",
        },
        status_code=status_code,
    )
    set_login_csrf_cookie(request, response)
    response.delete_cookie(COOKIE, path="/login/sso")
    return response


@router.get("/login/sso", response_model=None)
def start(request: Request, ctx: Ctx, next: str = "/") -> Response:
    """Send the browser to the provider, remembering state, nonce and PKCE verifier."""
    oidc = provider(request)
    if oidc is None:
        return _refused(
            request, "Single sign-on is not set up here. Sign in with your password.", 404
        )
    transaction = Transaction.new()
    try:
        url = oidc.authorization_url(transaction)
    except OidcError as exc:
        return _refused(request, str(exc), 502)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        COOKIE,
        _serializer(ctx).dumps(
            [transaction.state, transaction.nonce, transaction.verifier, safe_next(next)]
        ),
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        # Lax: the provider sends the browser back with a top-level GET, which carries it.
        samesite="lax",
        secure=request.url.scheme == "https" or ctx.settings.public_url.startswith("https:"),
        path="/login/sso",
    )
    return response


@router.get("/login/sso/callback", response_model=None)
def callback(
    request: Request,
    ctx: Ctx,
    db: DbSession,
    code: str = "",
    state: str = "",
    error: str = "",
) -> Response:
    """Check the answer belongs to this browser's sign-in, verify it, and open a session."""
    oidc = provider(request)
    if oidc is None:
        return _refused(request, "Single sign-on is not set up here.", 404)
    if error:
        return _refused(request, "Sign-in was cancelled or refused at the sign-in service.")
    try:
        saved_state, nonce, verifier, next_url = _serializer(ctx).loads(
            request.cookies.get(COOKIE, ""), max_age=MAX_AGE_SECONDS
        )
    except (BadSignature, ValueError, TypeError):
        return _refused(request, "That sign-in took too long or did not start here. Try again.")
    if not code or not state or state != saved_state:
        return _refused(request, "That sign-in did not start here. Try again.")
    try:
        claims = oidc.exchange(code, Transaction(saved_state, nonce, verifier))
        user = match_user(db, claims)
    except OidcError as exc:
        db.rollback()
        return _refused(request, str(exc))
    response = complete_sign_in(request, db, user, method="oidc", next_url=next_url)
    response.delete_cookie(COOKIE, path="/login/sso")
    return response
