"""Error responses in plain English: no stack traces, nothing half-written."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from intake.workflow import ConflictError, PermissionDenied, WorkflowError


def _field(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "request"


def _sentence(error: Any) -> str:
    field = _field(tuple(error.get("loc", ())))
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return f"'{field}' is not a field this API accepts."
    if kind == "missing":
        return f"'{field}' is required."
    if kind in ("string_too_long", "too_long"):
        limit = (error.get("ctx") or {}).get("max_length")
        return f"'{field}' is too long" + (f" (at most {limit})." if limit else ".")
    if kind == "json_invalid":
        return "The request body is not valid JSON."
    return f"'{field}': {error.get('msg', 'is not valid')}."


def install_error_handlers(app: FastAPI) -> None:
    """Map validation and workflow errors to 4xx with a message a person can act on."""

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [_sentence(e) for e in exc.errors()]
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            content={"detail": " ".join(problems[:5]), "problems": problems},
        )

    @app.exception_handler(PermissionDenied)
    async def _forbidden(request: Request, exc: PermissionDenied) -> JSONResponse:
        return JSONResponse(status_code=status.HTTP_403_FORBIDDEN, content={"detail": str(exc)})

    @app.exception_handler(ConflictError)
    async def _conflict(request: Request, exc: ConflictError) -> JSONResponse:
        return JSONResponse(status_code=status.HTTP_409_CONFLICT, content={"detail": str(exc)})

    @app.exception_handler(WorkflowError)
    async def _workflow(request: Request, exc: WorkflowError) -> JSONResponse:
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": str(exc)}
        )
