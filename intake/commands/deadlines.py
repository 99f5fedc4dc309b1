"""`intake deadlines`: print the working-day deadlines for a receipt, as the contract fixes them."""

from __future__ import annotations

import json
from datetime import date, datetime

import click

from intake.calendar import LONDON, calendar_for
from intake.deadlines import DeadlineError, compute_deadlines
from intake.settings import Nation, Policy


def _parse_received(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 date-time (for example 2026-12-24T16:30 or "
            "2026-12-24T16:30:00+00:00)"
        ) from exc
    # With an offset: convert to London time. Without one: it already is London time.
    return moment.astimezone(LONDON) if moment.tzinfo else moment


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


@click.command()
@click.option("--received", required=True, help="When the complaint arrived (ISO 8601).")
@click.option("--acknowledged", default=None, help="When it was acknowledged (YYYY-MM-DD).")
@click.option("--stage", type=click.IntRange(1, 2), default=1, show_default=True)
@click.option(
    "--nation",
    type=click.Choice([n.value for n in Nation]),
    default=Nation.ENGLAND.value,
    show_default=True,
)
def deadlines(received: str, acknowledged: str | None, stage: int, nation: str) -> None:
    """Print the acknowledge, respond and extension-limit dates under the Code's maxima."""
    try:
        result = compute_deadlines(
            _parse_received(received),
            acknowledged=_parse_date(acknowledged),
            stage=stage,
            calendar=calendar_for(Nation(nation)),
            policy=Policy(),
        )
    except DeadlineError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(json.dumps(result.to_contract()))
