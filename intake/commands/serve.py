"""`intake serve`: run the whole product on its configured (or embedded default) settings."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from pydantic import ValidationError

from intake.settings import load_settings


@click.command()
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A TOML settings file (INTAKE_* variables override it).",
)
def serve(config: Path | None) -> None:
    """Run SMTP, HTTP (staff UI, chat, Slack, API) and the background workers."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Migrations log every plugin they load at INFO; only their problems matter here.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = load_settings(config)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise click.ClickException(f"The settings are not valid: {problems}") from None
    from intake.serve import serve as run

    run(settings, echo=click.echo)
