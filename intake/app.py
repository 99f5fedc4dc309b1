"""The ASGI application: health, the JSON API, and the parts other packages plug in."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intake import __version__
from intake.api.actions import router as actions_router
from intake.api.errors import install_error_handlers
from intake.api.routes import router as api_router
from intake.context import AppContext
from store.db import ping

log = logging.getLogger(__name__)

# Each of these modules, when present, has `mount(app, ctx)`: the staff web app, the resident
# chat, the Slack app. The core works without them.
EXTENSIONS: tuple[str, ...] = (
    "intake.web.mount",
    "connectors.webchat",
    "connectors.slack",
    "intake.reports.web",
)

MAX_BODY_BYTES = 2 * 1024 * 1024


class BodyLimit:
    """Refuse request bodies over a size with 413 before anything reads them into memory."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(self.limit, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLarge:
            await _too_large(self.limit, send)


class _BodyTooLarge(Exception):
    pass


async def _too_large(limit: int, send: Send) -> None:
    response = JSONResponse(
        status_code=413,
        content={"detail": f"The request is too large (the limit is {limit // 1024} KB)."},
    )
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the parent package is not there either
        return False


def create_app(ctx: AppContext) -> FastAPI:
    """Build the application around one context."""
    app = FastAPI(
        title="Intake",
        version=__version__,
        description="Complaint and service-request intake under the Complaint Handling Code 2024.",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.ctx = ctx
    install_error_handlers(app)

    @app.get("/healthz", tags=["health"])
    def healthz() -> JSONResponse:
        """200 when the database answers and the model is loaded."""
        database = ping(ctx.engine)
        model = ctx.classifier_loaded
        ok = database and model
        return JSONResponse(
            status_code=200 if ok else 503,
            content={"status": "ok" if ok else "starting", "database": database, "model": model},
        )

    app.include_router(api_router)
    app.include_router(actions_router)
    for name in EXTENSIONS:
        if not _module_exists(name):
            continue
        mount: Callable[[FastAPI, AppContext], Any] = importlib.import_module(name).mount
        mount(app, ctx)
    app.add_middleware(BodyLimit)
    return app
