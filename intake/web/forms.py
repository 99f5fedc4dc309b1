"""Reading staff forms: plain-English problems for anything missing or malformed."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from fastapi import Request
from starlette.datastructures import FormData

from intake.workflow import WorkflowError

DEFINITION_PARTS = ("issues", "outcomes", "responsible", "not_responsible", "clarifications")
E = TypeVar("E", bound=StrEnum)


class FormProblem(WorkflowError):
    """Something the person typed cannot be used; shown to them as-is."""


async def form_data(request: Request) -> FormData:
    """The submitted form (already parsed once by the CSRF check; Starlette caches it)."""
    return await request.form()


def text(form: FormData, name: str, *, limit: int = 4000, required: str = "") -> str:
    """A text field, trimmed; `required` is the message when it is empty."""
    value = form.get(name)
    result = value.strip() if isinstance(value, str) else ""
    if required and not result:
        raise FormProblem(required)
    if len(result) > limit:
        raise FormProblem(f"That is too long: keep it under {limit:,} characters.")
    return result


def lines(form: FormData, name: str, *, limit: int = 50) -> list[str]:
    """A textarea with one short phrase per line."""
    items = [line.strip() for line in text(form, name, limit=20_000).splitlines()]
    items = [item for item in items if item]
    if len(items) > limit:
        raise FormProblem(f"Give at most {limit} lines.")
    if any(len(item) > 500 for item in items):
        raise FormProblem("Keep each line under 500 characters; split long points in two.")
    return items


def definition(form: FormData) -> dict[str, list[str]]:
    """The complaint definition's five parts (Code 5.6, 5.7), one phrase per line each."""
    return {part: lines(form, part) for part in DEFINITION_PARTS}


def choice(form: FormData, name: str, kind: type[E], *, required: str = "") -> E | None:
    """One of an enumeration's values."""
    raw = text(form, name, limit=100)
    if not raw:
        if required:
            raise FormProblem(required)
        return None
    try:
        return kind(raw)
    except ValueError:
        raise FormProblem(f"{raw!r} is not one of the choices offered.") from None


def day(form: FormData, name: str, *, required: str = "") -> date | None:
    """A date from a date input (YYYY-MM-DD)."""
    raw = text(form, name, limit=20)
    if not raw:
        if required:
            raise FormProblem(required)
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FormProblem(f"{raw!r} is not a date; use the date picker or YYYY-MM-DD.") from None


def whole_number(form: FormData, name: str) -> int | None:
    """A whole number field."""
    raw = text(form, name, limit=12)
    if not raw:
        return None
    if not raw.isdigit():
        raise FormProblem(f"{raw!r} is not a whole number.")
    return int(raw)


def version(form: FormData) -> int | None:
    """The case version the page showed, so a colleague's change is never overwritten."""
    return whole_number(form, "version")


def pounds_to_pence(form: FormData, name: str) -> int:
    """An amount in pounds (e.g. 150 or 150.50) as pence."""
    raw = text(form, name, limit=20).replace("£", "").replace(",", "")
    if not raw:
        return 0
    try:
        pounds, _, pence = raw.partition(".")
        if not pounds.isdigit() or (pence and (not pence.isdigit() or len(pence) > 2)):
            raise ValueError
        return int(pounds) * 100 + int(pence.ljust(2, "0") or 0)
    except ValueError:
        raise FormProblem(f"{raw!r} is not an amount in pounds, e.g. 150 or 150.50.") from None


def checked(form: FormData, name: str) -> bool:
    """A checkbox."""
    return form.get(name) in ("on", "yes", "true", "1")


def values(form: FormData) -> dict[str, Any]:
    """What was typed, to put back in the form when it is refused (secrets left out)."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
