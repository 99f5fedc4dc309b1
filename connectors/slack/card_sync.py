"""Post each triage card once, and update it in place whenever its case changes, anywhere.

A card is due when it has not been posted yet, or when its case's version (bumped by every
change the workflow or pipeline makes) is newer than the version the card last showed. Each
post or update is claimed with a short lease first, so two processes never post a card twice,
and no database transaction is held open while Slack is being called.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import ColumnElement, or_, update
from sqlmodel import Session, col, select

from connectors.slack.cards import card
from connectors.slack.client import failure_reason
from connectors.slack.facts import load_facts
from intake.context import AppContext
from store.db import session_scope
from store.models import Case, SlackCard

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)
MAX_BACKOFF = timedelta(minutes=15)
# The bot cannot write where the message was (a private channel it is not in, a group DM):
# the card goes to the Intake DM of the person who logged it instead.
NO_ACCESS = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}
GONE = {"message_not_found", "cant_update_message", "channel_not_found", "is_archived"}


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(col(SlackCard.lease_until).is_(None), col(SlackCard.lease_until) < now)


def claim(ctx: AppContext, card_id: int) -> bool:
    """Take the card for LEASE; False when another thread or process holds it."""
    now = ctx.clock()
    with session_scope(ctx.engine) as session:
        result = session.execute(
            update(SlackCard)
            .where(col(SlackCard.id) == card_id, _free(now))
            .values(lease_until=now + LEASE)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def due_cards(ctx: AppContext, limit: int = 50) -> list[int]:
    """Cards to post or update now, oldest first."""
    now = ctx.clock()
    with Session(ctx.engine) as session:
        rows = session.exec(
            select(SlackCard.id)
            .join(Case, col(Case.id) == SlackCard.case_id)
            .where(
                or_(
                    col(SlackCard.ts).is_(None),
                    col(SlackCard.rendered_version) != col(Case.version),
                ),
                _free(now),
            )
            .order_by(col(SlackCard.id))
            .limit(limit)
        ).all()
    return [r for r in rows if r is not None]


def sync_cards(ctx: AppContext, client: WebClient, limit: int = 50) -> int:
    """Post or update every due card; returns how many Slack accepted."""
    return sum(1 for card_id in due_cards(ctx, limit) if sync_card(ctx, client, card_id))


def refresh_case(ctx: AppContext, client: WebClient, case_id: int) -> None:
    """Bring every card of a case up to date now (after an action taken in Slack)."""
    with Session(ctx.engine) as session:
        ids = session.exec(select(SlackCard.id).where(SlackCard.case_id == case_id)).all()
    for card_id in ids:
        if card_id is not None:
            sync_card(ctx, client, card_id)


def sync_card(ctx: AppContext, client: WebClient, card_id: int) -> bool:
    """Post or update one card; on failure it is retried later with a growing pause."""
    if not claim(ctx, card_id):
        return False
    with Session(ctx.engine, expire_on_commit=False) as session:
        row = session.get(SlackCard, card_id)
        case = session.get(Case, row.case_id) if row is not None else None
        if row is None or case is None:
            return False
        facts = load_facts(session, ctx, case)
        session.expunge(row)
    text, blocks = card(facts)
    try:
        if row.ts is None:
            channel, thread_ts, ts = _post(client, row, text, blocks)
        else:
            channel, thread_ts, ts = _update(client, row, text, blocks)
    except (SlackApiError, OSError) as exc:
        _failed(ctx, card_id, failure_reason(exc))
        return False
    with session_scope(ctx.engine) as session:
        stored = session.get(SlackCard, card_id)
        if stored is None:
            return False
        if stored.ts is None:
            stored.posted_at = ctx.clock()
        stored.channel, stored.thread_ts, stored.ts = channel, thread_ts, ts
        stored.rendered_version = facts.version
        stored.lease_until = None
        stored.attempts = 0
        stored.last_error = ""
        session.add(stored)
    return True


def _post(
    client: WebClient, row: SlackCard, text: str, blocks: list[dict[str, object]]
) -> tuple[str, str | None, str]:
    try:
        response = client.chat_postMessage(
            channel=row.channel,
            thread_ts=row.thread_ts,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(response["channel"]), row.thread_ts, str(response["ts"])
    except SlackApiError as exc:
        reason = failure_reason(exc)
        if reason not in NO_ACCESS or not row.logged_by or row.channel == row.logged_by:
            raise
        log.info(
            "card for case %s cannot go in %s (%s); sent by DM", row.case_id, row.channel, reason
        )
    response = client.chat_postMessage(
        channel=row.logged_by, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
    )
    return str(response["channel"]), None, str(response["ts"])


def _update(
    client: WebClient, row: SlackCard, text: str, blocks: list[dict[str, object]]
) -> tuple[str, str | None, str]:
    assert row.ts is not None
    try:
        client.chat_update(channel=row.channel, ts=row.ts, text=text, blocks=blocks)
    except SlackApiError as exc:
        if failure_reason(exc) not in GONE:
            raise
        # Someone deleted the card in Slack: stop updating it rather than post it again.
        log.info("card for case %s is gone from Slack; no longer updating it", row.case_id)
    return row.channel, row.thread_ts, row.ts


def _failed(ctx: AppContext, card_id: int, reason: str) -> None:
    with session_scope(ctx.engine) as session:
        stored = session.get(SlackCard, card_id)
        if stored is None:
            return
        stored.attempts += 1
        stored.last_error = reason[:1000]
        pause = min(timedelta(seconds=5 * 2 ** min(stored.attempts, 10)), MAX_BACKOFF)
        stored.lease_until = ctx.clock() + pause
        session.add(stored)
    log.warning("could not post or update the Slack card %s: %s", card_id, reason)
