"""`intake export-training`: confirmed cases as JSON lines that `intake train --data` reads."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import IO, Any

import click
from sqlalchemy.exc import OperationalError

from intake.settings import load_settings
from intake.training_export import ExportCounts, iter_training_records, local_day_bounds
from store.db import make_engine, migrate

WARNING = (
    "Warning: this file holds residents' own messages, which are personal data. Keep it as "
    "safe as the case records, share it only as your data protection policy allows, and "
    "delete it once the model is trained."
)


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-04-01") from None


@click.command("export-training")
@click.option(
    "--out",
    "out",
    default="-",
    show_default=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="File to write (- for the screen, to pipe it on).",
)
@click.option(
    "--since",
    metavar="DATE",
    callback=_day,
    help="Cases confirmed on or after this day (YYYY-MM-DD).",
)
@click.option(
    "--until",
    metavar="DATE",
    callback=_day,
    help="Cases confirmed on or before this day (YYYY-MM-DD).",
)
@click.option(
    "--overrides-only",
    is_flag=True,
    help="Only cases where the person chose a different label than the one proposed.",
)
def export_training(out: str, since: date | None, until: date | None, overrides_only: bool) -> None:
    """Write every confirmed case as a labelled training record (the label a person confirmed,
    the text the classifier read), for `intake train --data`."""
    if since and until and since > until:
        raise click.UsageError("--since must not be after --until.")
    settings = load_settings()
    start, end = local_day_bounds(since, until, settings.timezone)
    engine = make_engine(settings.database_url)
    click.echo(WARNING, err=True)
    counts = ExportCounts()
    target = None if out == "-" else Path(out)
    # A file is written beside its final name and moved there at the end, so a failed export
    # never leaves half a training file that looks complete.
    partial = target.with_name(target.name + ".partial") if target else None
    try:
        migrate(engine)
        records = iter_training_records(
            engine,
            confirmed_from=start,
            confirmed_before=end,
            overrides_only=overrides_only,
            counts=counts,
        )
        if partial is None:
            _write(records, sys.stdout)
        else:
            with open(partial, "w", encoding="utf-8") as stream:
                _write(records, stream)
            os.replace(partial, target or partial)
    except OperationalError as exc:
        where = engine.url.render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
        raise click.ClickException(
            f"Could not read the database at {where} ({reason}). Check INTAKE_DATABASE_URL."
        ) from exc
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
        engine.dispose()
    skipped = f"; {counts.skipped_empty} with no text left out" if counts.skipped_empty else ""
    click.echo(
        f"Exported {counts.cases} confirmed case{'' if counts.cases == 1 else 's'} "
        f"({counts.overrides} overridden) "
        f"to {target or 'standard output'}{skipped}.",
        err=True,
    )


def _write(records: Iterable[dict[str, Any]], stream: IO[str]) -> None:
    """One JSON object per line, as the records stream in (never all in memory)."""
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    stream.flush()
