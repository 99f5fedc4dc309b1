"""`intake user`: create staff accounts and API tokens from the command line."""

from __future__ import annotations

import click
from sqlmodel import select

from intake.security import hash_password, one_time_password
from intake.settings import load_settings
from store.crud import create_api_token, create_user, get_user_by_email
from store.db import make_engine, migrate, session_scope
from store.models import Role, StaffUser


@click.group()
def user() -> None:
    """Manage staff accounts."""


@user.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="", help="The name shown to colleagues.")
def add(email: str, role: str, name: str) -> None:
    """Create an account; prints a one-time password and, on the last line, an API token."""
    if "@" not in email or email.strip() != email or len(email) > 320:
        raise click.BadParameter(f"{email!r} is not an email address", param_hint="EMAIL")
    engine = make_engine(load_settings().database_url)
    migrate(engine)
    password = one_time_password()
    with session_scope(engine) as session:
        if get_user_by_email(session=session, email=email) is not None:
            raise click.ClickException(f"There is already an account for {email}.")
        account = create_user(
            session=session,
            email=email,
            role=Role(role),
            password_hash=hash_password(password),
            display_name=name,
        )
        token = create_api_token(session=session, user=account, label="created by intake user add")
    click.echo(f"Created {role.replace('_', ' ')} account {email.lower()}.")
    click.echo(f"One-time password (change it at first sign-in): {password}")
    click.echo(token)


@user.command("token")
@click.argument("email")
def token(email: str) -> None:
    """Issue another API token for an existing account."""
    engine = make_engine(load_settings().database_url)
    migrate(engine)
    with session_scope(engine) as session:
        account = get_user_by_email(session=session, email=email)
        if account is None:
            raise click.ClickException(f"There is no account for {email}.")
        click.echo(create_api_token(session=session, user=account, label="intake user token"))


@user.command("list")
def list_users() -> None:
    """List accounts and their roles."""
    engine = make_engine(load_settings().database_url)
    migrate(engine)
    with session_scope(engine) as session:
        for account in session.exec(select(StaffUser).order_by(StaffUser.email)).all():
            state = "active" if account.is_active else "disabled"
            click.echo(f"{account.email}\t{account.role.value}\t{state}")
