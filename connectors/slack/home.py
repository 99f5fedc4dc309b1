"""App Home: a team lead's queue in Slack, overdue first, with the card's actions on each case."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import func
from sqlmodel import Session, select

from connectors.slack.accounts import NOT_LINKED, resolve_staff
from connectors.slack.cards import actions, day, deadline_line, flags, headline
from connectors.slack.client import failure_reason
from connectors.slack.facts import load_facts
from connectors.slack.text import escape
from intake.context import AppContext
from store.crud import QueueFilter, queue_query
from store.db import session_scope
from store.models import ROLE_RANK, CaseStatus, Role, StaffUser

log = logging.getLogger(__name__)

PER_LIST = 12  # Slack allows 100 blocks in a Home; each case takes three
Block = dict[str, Any]


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def _case_blocks(session: Session, ctx: AppContext, query: Any, title: str) -> list[Block]:
    today = ctx.calendar.local_date(ctx.clock())
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{title} ({total})"}}
    ]
    if not total:
        blocks.append(_section("_Nothing here._"))
    for case in session.exec(query.limit(PER_LIST)).all():
        facts = load_facts(session, ctx, case, today)
        lines = [f"*<{facts.link}|{escape(headline(facts))}>*", escape(facts.summary)[:300]]
        lines.append(deadline_line(facts))
        lines += flags(facts)
        blocks.append(_section("\n".join(lines)))
        blocks.append(actions(facts))
        blocks.append({"type": "divider"})
    if total > PER_LIST:
        blocks.append(
            _section(f"…and {total - PER_LIST} more: <{ctx.settings.public_url}|open the queue>")
        )
    return blocks


def home_view(ctx: AppContext, staff: StaffUser | None, slack_user: str, notice: str = "") -> Block:
    """The Home tab for one person: the queue for a team lead, how to log for everyone."""
    blocks: list[Block] = []
    if notice:
        blocks.append(_section(f":information_source: {escape(notice)}"))
    if staff is None:
        blocks.append(_section(NOT_LINKED.format(user=slack_user)))
    elif ROLE_RANK[staff.role] < ROLE_RANK[Role.TEAM_LEAD]:
        blocks.append(
            _section(
                f"Hello {escape(staff.name)}. Log what residents tell you with `/intake`, the "
                "*Log with Intake* shortcut on a message, or a message to me. A team lead "
                "confirms each one."
            )
        )
    else:
        today = ctx.calendar.local_date(ctx.clock())
        with session_scope(ctx.engine) as session:
            mine = queue_query(today=today, filters=QueueFilter(assignee_id=staff.id))
            waiting = queue_query(today=today, filters=QueueFilter(status=CaseStatus.NEW))
            blocks += _case_blocks(session, ctx, mine, "Assigned to you")
            blocks += _case_blocks(session, ctx, waiting, "Waiting to be confirmed")
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"As of {day(today)}. Overdue first."}],
            }
        )
    return {"type": "home", "blocks": blocks[:100]}


def publish(ctx: AppContext, client: WebClient, slack_user: str, notice: str = "") -> None:
    """Show the latest Home to one person."""
    staff = resolve_staff(ctx, client, slack_user)
    view = home_view(ctx, staff, slack_user, notice)
    try:
        client.views_publish(user_id=slack_user, view=view)
    except SlackApiError as exc:
        log.warning("could not publish the App Home: %s", failure_reason(exc))


def register(app: App, ctx: AppContext) -> None:
    """Publish the Home whenever someone opens it."""

    def acknowledge() -> None:
        """Bolt acknowledges the event; the Home is published by the lazy listener."""

    def show(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") == "home":
            publish(ctx, client, str(event.get("user") or ""))

    app.event("app_home_opened")(ack=acknowledge, lazy=[show])
