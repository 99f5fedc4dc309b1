"""`intake db upgrade`: apply schema migrations (serve does this too)."""

from __future__ import annotations

import click

from intake.settings import load_settings
from store.db import make_engine, migrate


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
def upgrade() -> None:
    """Bring the database schema up to date."""
    settings = load_settings()
    migrate(make_engine(settings.database_url))
    click.echo("Database schema is up to date.")
