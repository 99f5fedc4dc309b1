"""Log a message from Slack durably before acknowledging it: one case per Slack message."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from connectors.slack.accounts import logging_actor
from connectors.slack.card_sync import sync_card
from intake.context import AppContext
from intake.inbound import InboundMessage
from intake.submit import submit
from store.db import session_scope
from store.models import Inbound, SlackCard, format_reference

log = logging.getLogger(__name__)

NOT_SAVED = (
    "Intake could not save this just now, so nothing was logged. Please try again in a minute."
)


@dataclass(frozen=True)
class Where:
    """Where the triage card goes: a channel (or DM, or user id) and the thread it replies in."""

    channel: str
    thread_ts: str | None = None


@dataclass(frozen=True)
class Logged:
    """What happened to a message from Slack."""

    case_id: int
    reference: str
    card_id: int | None = None  # a new card to post; None when the case already has one
    duplicate: bool = False  # this Slack message (or this delivery) was logged before
    added_to_case: bool = False  # a reply in a card's thread: joins that case


def log_message(
    ctx: AppContext,
    message: InboundMessage,
    *,
    logged_by: str,
    card: Where,
    external_id: str | None = None,
    source: str | None = None,
    thread: Where | None = None,
) -> Logged:
    """Store and queue the message with its card in one transaction; commit before the ack.

    `external_id` is the delivery's own id (a Slack event id): a retried delivery finds the
    first. `source` is the Slack message's key: logging the same message twice, by any way
    in, finds the first. `thread` is where a reply was written: a reply in a card's thread
    joins that card's case.
    """
    try:
        with session_scope(ctx.engine) as session:
            earlier = _earlier(session, external_id, source)
            if earlier is not None:
                return earlier
            parent = _card_in_thread(session, thread) if thread else None
            if parent is not None:
                message.case_id = parent.case_id
            actor = logging_actor(session, logged_by, message.meta.get("logged_by_name", ""))
            inbound, case = submit(
                session, ctx, message, actor=actor, open_new_case=True, external_id=external_id
            )
            if case is None:  # the message continues an existing case
                assert message.case_id is not None
                reference = format_reference(message.case_id)
                logged = Logged(message.case_id, reference, added_to_case=True)
            else:
                assert case.id is not None
                row = SlackCard(
                    case_id=case.id,
                    source_key=source,
                    channel=card.channel,
                    thread_ts=card.thread_ts,
                    logged_by=logged_by,
                )
                session.add(row)
                session.flush()
                logged = Logged(case.id, case.reference, row.id)
    except IntegrityError:
        # Two deliveries of the same message at once: the other one stored it first.
        with session_scope(ctx.engine) as session:
            earlier = _earlier(session, external_id, source)
        if earlier is None:
            raise
        return earlier
    ctx.notify_workers()
    log.info("logged Slack message as %s (inbound %s)", logged.reference, inbound.id)
    return logged


def _earlier(session: Session, external_id: str | None, source: str | None) -> Logged | None:
    if external_id:
        first = session.exec(select(Inbound).where(Inbound.external_id == external_id)).first()
        if first is not None:
            first.receipts += 1  # Slack retried a delivery we already hold
            session.add(first)
            case_id = first.case_id or _case_of_payload(first)
            if case_id is not None:
                return Logged(case_id, format_reference(case_id), None, True)
    if source:
        card = session.exec(select(SlackCard).where(SlackCard.source_key == source)).first()
        if card is not None:
            return Logged(card.case_id, format_reference(card.case_id), None, True)
    return None


def _case_of_payload(inbound: Inbound) -> int | None:
    # Before the worker has run, the case id is in the stored payload (open_new_case).
    try:
        return InboundMessage.from_payload(inbound.raw).case_id
    except ValueError:
        return None


def _card_in_thread(session: Session, thread: Where) -> SlackCard | None:
    """The card whose thread this is (the thread started at the logged message or the card)."""
    if not thread.thread_ts:
        return None
    return session.exec(
        select(SlackCard)
        .where(
            SlackCard.channel == thread.channel,
            or_(SlackCard.thread_ts == thread.thread_ts, SlackCard.ts == thread.thread_ts),
        )
        .order_by(col(SlackCard.id))
    ).first()


def try_log(ctx: AppContext, message: InboundMessage, **where: Any) -> dict[str, Any]:
    """Log the message; a storage failure becomes a plain-English problem for the person."""
    try:
        logged = log_message(ctx, message, **where)
    except Exception:
        log.exception("could not store a message logged from Slack")
        return {"problem": NOT_SAVED}
    return asdict(logged)


def post_new_card(ctx: AppContext, client: WebClient, outcome: dict[str, Any]) -> None:
    """Post the card of a message just logged (the card sync retries if this fails)."""
    if outcome.get("card_id") and not outcome.get("duplicate"):
        sync_card(ctx, client, int(outcome["card_id"]))
