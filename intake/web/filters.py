"""Jinja filters for staff pages: London times, short dates, enum values as words."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment

from intake.workflow import STATUS_WORDS
from store.models import CaseStatus

LONDON = ZoneInfo("Europe/London")


def words(value: Any) -> str:
    """An enum or snake_case value as words: service_request -> service request."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        value = value.value
    return str(value).replace("_", " ")


def status_words(value: Any) -> str:
    """A case status as the workflow words it: 'waiting to be confirmed'."""
    try:
        return STATUS_WORDS[CaseStatus(value)]
    except ValueError:
        return words(value)


def london(value: datetime | None) -> str:
    """A stored UTC moment as staff read it, in UK time: 16 Nov 2026, 10:00."""
    if value is None:
        return ""
    local = value.astimezone(LONDON) if value.tzinfo else value
    return f"{local.day} {local:%b %Y, %H:%M}"


def short_date(value: date | datetime | None) -> str:
    """A date with its weekday: Mon 23 Nov 2026."""
    if value is None:
        return ""
    return f"{value:%a} {value.day} {value:%b %Y}"


def iso_date(value: date | datetime | None) -> str:
    """A date for a form's date input."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date() if value.tzinfo else value.date()
    return value.isoformat()


def percent(value: float | None) -> str:
    """A probability as a whole percentage."""
    return "" if value is None else f"{value:.0%}"


def days_left(left: int | None) -> str:
    """Working days to a deadline, in words staff scan quickly."""
    if left is None:
        return "no deadline"
    if left < 0:
        return f"overdue by {-left} working day{'s' if left != -1 else ''}"
    if left == 0:
        return "due today"
    return f"{left} working day{'s' if left != 1 else ''} left"


def urgency(deadlines: dict[str, Any]) -> str:
    """A CSS class for the deadline cell: overdue, due today, soon, or fine."""
    left = deadlines.get("working_days_left")
    if deadlines.get("overdue") or (left is not None and left < 0):
        return "overdue"
    if left == 0:
        return "due-today"
    if left is not None and left <= 2:
        return "due-soon"
    return "on-track"


def pence(value: int | None) -> str:
    """Pence as pounds."""
    return f"£{(value or 0) / 100:,.2f}"


def install(env: Environment) -> None:
    """Register the filters on an environment."""
    env.filters.update(
        words=words,
        status_words=status_words,
        london=london,
        short_date=short_date,
        iso_date=iso_date,
        percent=percent,
        days_left=days_left,
        urgency=urgency,
        pence=pence,
    )
