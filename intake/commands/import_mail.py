"""`intake import PATH`: backfill an mbox, Maildir or folder of .eml through the pipeline."""

from __future__ import annotations

from pathlib import Path

import click
from pydantic import ValidationError

from intake.settings import load_settings


@click.command(name="import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--no-triage",
    is_flag=True,
    help="Only store and queue the messages; `intake serve`'s workers triage them later.",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
def import_mail(path: Path, no_triage: bool, quiet: bool) -> None:
    """Run historic mail (mbox, Maildir or a folder of .eml files) through the pipeline.

    Safe to run again: a message already imported is skipped. The Date header of each
    message is its date of receipt.
    """
    from tqdm import tqdm

    from intake.context import AppContext
    from intake.mail.importer import ImportError_, open_source, pending, store_all, triage_all
    from store.db import migrate

    try:
        settings = load_settings()
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"]
        raise click.ClickException(f"The settings are not valid: {problem}") from None
    ctx = AppContext.build(settings)
    migrate(ctx.engine)
    try:
        total, _ = open_source(path)
    except (ImportError_, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    with tqdm(total=total, unit="msg", desc="Storing", disable=quiet) as bar:
        result = store_all(ctx, path, bar.update)
    click.echo(
        f"Stored {result.stored:,} new message(s); {result.already:,} were already imported."
    )
    if no_triage:
        click.echo("They wait in the queue for `intake serve` to triage them.")
        return
    with tqdm(total=pending(ctx), unit="msg", desc="Triaging", disable=quiet) as bar:
        triage_all(ctx, result, bar.update)
    if result.outcomes:
        parts = ", ".join(
            f"{count:,} {name.replace('_', ' ')}" for name, count in result.outcomes.most_common()
        )
        click.echo(f"Triaged {result.triaged:,} message(s): {parts}.")
    click.echo("Each case waits in the triage queue for a person to confirm it.")
    ctx.engine.dispose()
