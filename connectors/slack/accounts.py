"""Which staff account a Slack user is: a stored link, or the account with their verified email."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session, select

from connectors.slack.client import failure_reason
from intake.context import AppContext
from intake.workflow import Actor
from store.crud import get_user_by_email
from store.db import session_scope
from store.models import StaffUser

log = logging.getLogger(__name__)

NOT_LINKED = (
    "Your Slack account is not linked to an Intake staff account, so I can't let you act on "
    "cases. Ask an Intake admin to run `intake slack link YOUR-EMAIL {user}`, or to create an "
    "account with the email address your Slack profile shows."
)


def linked_staff(session: Session, slack_user_id: str) -> StaffUser | None:
    """The active account linked to this Slack user, from the database only."""
    if not slack_user_id:
        return None
    user = session.exec(select(StaffUser).where(StaffUser.slack_user_id == slack_user_id)).first()
    return user if user is not None and user.is_active else None


def logging_actor(session: Session, slack_user_id: str, name: str = "") -> Actor:
    """Who logged a message: their staff account if linked, else their Slack identity."""
    user = linked_staff(session, slack_user_id)
    if user is not None:
        return Actor.staff(user)
    return Actor.system(f"{name or slack_user_id} (Slack)")


def resolve_staff(ctx: AppContext, client: WebClient, slack_user_id: str) -> StaffUser | None:
    """The staff account behind a Slack user, linking by verified email on first use."""
    with session_scope(ctx.engine) as session:
        user = linked_staff(session, slack_user_id)
        if user is not None or not ctx.settings.slack_link_by_email:
            return user
    email = _verified_email(client, slack_user_id)
    if not email:
        return None
    with session_scope(ctx.engine) as session:
        user = get_user_by_email(session=session, email=email)
        if user is None or not user.is_active or user.slack_user_id not in (None, slack_user_id):
            return None
        user.slack_user_id = slack_user_id
        session.add(user)
        log.info("linked Slack user %s to staff account %s", slack_user_id, user.id)
        return user


def _verified_email(client: WebClient, slack_user_id: str) -> str:
    """The email on a full member's Slack profile; guests, bots and deleted users get none."""
    try:
        info = client.users_info(user=slack_user_id)
    except (SlackApiError, OSError) as exc:
        log.warning("could not look up Slack user %s: %s", slack_user_id, failure_reason(exc))
        return ""
    member = info.get("user") or {}
    if (
        member.get("deleted")
        or member.get("is_bot")
        or member.get("is_restricted")
        or member.get("is_ultra_restricted")
    ):
        return ""
    return str((member.get("profile") or {}).get("email") or "").strip().lower()
