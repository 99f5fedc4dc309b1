"""Plug the staff web app into the application: pages, static files, headers, error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from intake.context import AppContext
from intake.web.auth import (
    CsrfFailed,
    NotAllowed,
    PasswordChangeRequired,
    SignInRequired,
    sign_in_url,
    wants_html,
)
from intake.web.headers import SecurityHeaders
from intake.web.oidc import OidcProvider
from intake.web.routes import ROUTERS
from intake.web.routes.case import CaseNotFound
from intake.web.sessions import SESSION_COOKIE
from intake.web.templating import add_nav, render_page, setup
from intake.web.throttle import SignInThrottle
from store.models import Role

STATIC = Path(__file__).parent / "static"


def _error_page(
    request: Request, status_code: int, heading: str, message: str, back: str = "/"
) -> Response:
    if not wants_html(request):
        return JSONResponse(status_code=status_code, content={"detail": message})
    return render_page(
        request,
        "error.html",
        {
            "heading": heading,
            "message": message,
            "back_url": back,
            "back_label": "Go to the triage queue" if back == "/" else "Go back",
        },
        status_code=status_code,
    )


def install_error_pages(app: FastAPI) -> None:
    """Plain-English pages for the staff app's refusals; JSON for scripts."""

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if wants_html(request):
            response = RedirectResponse(sign_in_url(request), status_code=303)
            response.delete_cookie(SESSION_COOKIE, path="/")
            return response
        return JSONResponse(
            status_code=401,
            content={"detail": "Sign in first."},
            headers={"WWW-Authenticate": 'Cookie realm="Intake staff"'},
        )

    @app.exception_handler(PasswordChangeRequired)
    async def _password(request: Request, exc: PasswordChangeRequired) -> Response:
        if wants_html(request):
            return RedirectResponse("/account/password", status_code=303)
        return JSONResponse(status_code=403, content={"detail": "Choose a new password first."})

    @app.exception_handler(NotAllowed)
    async def _forbidden(request: Request, exc: NotAllowed) -> Response:
        return _error_page(request, 403, "You cannot use this page", exc.message)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed) -> Response:
        return _error_page(
            request,
            403,
            "That form could not be accepted",
            "The form did not come from this page, or you have signed in again since it was "
            "opened. Nothing was changed. Go back, reload the page and try again.",
        )

    @app.exception_handler(CaseNotFound)
    async def _missing(request: Request, exc: CaseNotFound) -> Response:
        return _error_page(request, 404, "Not found", "There is no such case, or no such page.")

    api_handler: Any = app.exception_handlers.get(RequestValidationError)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # The JSON API keeps its own messages; a browser gets a page, never a JSON dump.
        if request.url.path.startswith("/api") or not wants_html(request) or api_handler is None:
            if api_handler is not None:
                response: Response = await api_handler(request, exc)
                return response
            return JSONResponse(status_code=422, content={"detail": "The request is not valid."})
        return _error_page(
            request,
            422,
            "That could not be accepted",
            "Some of what was sent is too long or not in the expected form. Nothing was "
            "changed. Go back and check the form.",
        )


def mount(app: FastAPI, ctx: AppContext) -> None:
    """Add the staff web app (sign-in, queue, case pages, staff form, admin) to `app`."""
    setup(app)
    app.state.web_throttle = SignInThrottle(ctx.clock)
    app.state.web_oidc = OidcProvider.from_settings(ctx.settings)
    app.mount("/static/web", StaticFiles(directory=STATIC), name="web-static")
    for router in ROUTERS:
        app.include_router(router)
    add_nav(app, "Problems", "/problems", Role.TEAM_LEAD)
    install_error_pages(app)
    app.add_middleware(SecurityHeaders)
