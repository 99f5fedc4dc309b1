"""`intake report`: the complaint performance report (Code 8.1, 9.7; TSM CH01, CH02)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy.exc import OperationalError

from intake.context import AppContext
from intake.reports.period import PeriodError, parse_period
from intake.reports.render import FORMATS, render
from intake.settings import load_settings
from store.db import migrate


@click.command()
@click.option("--from", "start", required=True, help="First day of the period (YYYY-MM-DD).")
@click.option("--to", "end", required=True, help="Last day of the period (YYYY-MM-DD).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="md",
    show_default=True,
    help="md for reading, html for printing (with charts), csv and json for the cases behind "
    "every figure.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write to this file instead of the screen.",
)
def report(start: str, end: str, fmt: str, output: Path | None) -> None:
    """Print the complaint performance report for a period (both dates included)."""
    try:
        period = parse_period(start, end)
    except PeriodError as exc:
        raise click.UsageError(str(exc)) from exc
    ctx = AppContext.build(load_settings())
    try:
        migrate(ctx.engine)
        text = render(ctx, period, fmt)
    except OperationalError as exc:
        where = ctx.engine.url.render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
        raise click.ClickException(
            f"Could not read the database at {where} ({reason}). Check INTAKE_DATABASE_URL."
        ) from exc
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote the {fmt} report for {period.title} to {output}.", err=True)
