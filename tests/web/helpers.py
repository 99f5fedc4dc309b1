"""Builders for web tests: log a message through the staff form and let the workers read it."""

from __future__ import annotations

import re

from intake.worker import drain

CASE_URL = re.compile(r"/cases/(\d+)$")


def log_message(b, ctx, text: str, **fields: str) -> int:  # type: ignore[no-untyped-def]
    """Submit the staff form as a signed-in browser; run the pipeline; return the case id."""
    data = {"channel": "phone", "text": text, **fields}
    response = b.post("/log", data, page="/log")
    assert response.status_code == 303, response.text
    match = CASE_URL.search(response.headers["location"])
    assert match, response.headers["location"]
    drain(ctx)
    return int(match.group(1))


def version_of(engine, case_id: int) -> str:  # type: ignore[no-untyped-def]
    """The case version a freshly opened page would carry."""
    from sqlmodel import Session

    from store.models import Case

    with Session(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return str(case.version)


def act(b, engine, case_id: int, action: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Submit one of the case page's action forms with the current version."""
    form = {"version": version_of(engine, case_id), **(data or {})}
    return b.post(f"/cases/{case_id}/actions/{action}", form, page=f"/cases/{case_id}")
