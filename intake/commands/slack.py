"""`intake slack`: link staff accounts to Slack users, so Slack actions carry their role."""

from __future__ import annotations

import re

import click
from sqlmodel import select

from intake.settings import load_settings
from store.crud import get_user_by_email
from store.db import make_engine, migrate, session_scope
from store.models import StaffUser

SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


@click.group()
def slack() -> None:
    """Link staff accounts to Slack users."""


@slack.command("link")
@click.argument("email")
@click.argument("slack_user_id")
def link(email: str, slack_user_id: str) -> None:
    """Link the account EMAIL to a Slack user id (Slack: profile › ⋮ › Copy member ID)."""
    if not SLACK_USER_ID.match(slack_user_id):
        raise click.BadParameter(
            f"{slack_user_id!r} is not a Slack member ID (they look like U01AB2CD3EF)",
            param_hint="SLACK_USER_ID",
        )
    engine = make_engine(load_settings().database_url)
    migrate(engine)
    with session_scope(engine) as session:
        account = get_user_by_email(session=session, email=email)
        if account is None:
            raise click.ClickException(f"There is no account for {email}.")
        other = session.exec(
            select(StaffUser).where(StaffUser.slack_user_id == slack_user_id)
        ).first()
        if other is not None and other.id != account.id:
            raise click.ClickException(
                f"Slack user {slack_user_id} is already linked to {other.email}; "
                f"run `intake slack unlink {other.email}` first."
            )
        account.slack_user_id = slack_user_id
        session.add(account)
    click.echo(
        f"Linked {account.email} ({account.role.value.replace('_', ' ')}) to {slack_user_id}."
    )


@slack.command("unlink")
@click.argument("email")
def unlink(email: str) -> None:
    """Remove the account's link to Slack.

    With INTAKE_SLACK_LINK_BY_EMAIL on (the default) a Slack user whose verified email is the
    account's is linked again on their next action; to stop someone, disable the account.
    """
    engine = make_engine(load_settings().database_url)
    migrate(engine)
    with session_scope(engine) as session:
        account = get_user_by_email(session=session, email=email)
        if account is None:
            raise click.ClickException(f"There is no account for {email}.")
        account.slack_user_id = None
        session.add(account)
    click.echo(f"{account.email} is no longer linked to Slack.")
