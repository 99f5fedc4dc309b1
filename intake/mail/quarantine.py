"""What staff see of messages that could not be triaged and letters that could not be sent.

The staff web UI lists these and offers "try again"; nothing here deletes anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.parser import BytesHeaderParser

from sqlalchemy import func
from sqlmodel import Session, col, select

from intake.context import AppContext
from intake.mail.headers import clean_text
from intake.workflow.base import Actor, WorkflowError, record_event, require_role
from store.models import (
    Case,
    Channel,
    Inbound,
    InboundStatus,
    Message,
    OutboundMail,
    OutboundStatus,
    Role,
)

# "intake.mail.parse.UnreadableEmail: The email ..." -> "The email ..."
_EXCEPTION_PREFIX = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Email|Failed|Failure)\w*: ")


@dataclass(frozen=True)
class QuarantinedMessage:
    """A received message that kept failing, with a reason a person can read."""

    id: int
    channel: str
    received_at: datetime
    sender: str
    subject: str
    size: int
    attempts: int
    failed_step: str
    reason: str


@dataclass(frozen=True)
class FailedLetter:
    """A letter the relay would not take, after its retries."""

    id: int
    case_id: int
    case_reference: str
    to_address: str
    subject: str
    attempts: int
    reason: str
    created_at: datetime


def readable(error: str) -> str:
    """The stored error without the exception's class name."""
    text = _EXCEPTION_PREFIX.sub("", error.strip().splitlines()[-1] if error.strip() else "")
    return text or "Processing stopped without an error message."


def _peek(row: Inbound) -> tuple[str, str]:
    """Sender and subject for the list, read from the headers only (cheap and safe)."""
    if row.channel != Channel.EMAIL:
        return "", ""
    try:
        headers = BytesHeaderParser(policy=policy.default).parsebytes(row.raw[:65536])
        return clean_text(headers.get("from", ""), 200), clean_text(headers.get("subject", ""), 200)
    except Exception:  # the headers may be what is broken
        return "", ""


def count_quarantined(*, session: Session) -> int:
    """How many received messages wait for a person."""
    return session.exec(
        select(func.count()).select_from(Inbound).where(Inbound.status == InboundStatus.QUARANTINED)
    ).one()


def list_quarantined(
    *, session: Session, limit: int = 50, offset: int = 0
) -> list[QuarantinedMessage]:
    """Quarantined messages, newest first."""
    rows = session.exec(
        select(Inbound)
        .where(Inbound.status == InboundStatus.QUARANTINED)
        .order_by(col(Inbound.received_at).desc(), col(Inbound.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    items = []
    for row in rows:
        sender, subject = _peek(row)
        items.append(
            QuarantinedMessage(
                id=row.id or 0,
                channel=row.channel.value,
                received_at=row.received_at,
                sender=sender,
                subject=subject,
                size=len(row.raw),
                attempts=row.attempts,
                failed_step=row.failed_step,
                reason=readable(row.last_error),
            )
        )
    return items


def retry_message(session: Session, ctx: AppContext, inbound_id: int, actor: Actor) -> Inbound:
    """Put a quarantined message back in the queue (e.g. after a fix is deployed)."""
    require_role(actor, Role.TEAM_LEAD, "retry a quarantined message")
    row = session.get(Inbound, inbound_id)
    if row is None or row.status is not InboundStatus.QUARANTINED:
        raise WorkflowError("That message is not in quarantine (someone may have retried it).")
    row.status = InboundStatus.QUEUED
    row.attempts = 0
    row.available_at = ctx.clock()
    row.claimed_by = ""
    session.add(row)
    session.flush()
    return row


def list_failed_letters(
    *, session: Session, limit: int = 50, offset: int = 0
) -> list[FailedLetter]:
    """Letters that could not be emailed, newest first."""
    rows = session.exec(
        select(OutboundMail, Message, Case)
        .join(Message, col(Message.id) == OutboundMail.message_id)
        .join(Case, col(Case.id) == OutboundMail.case_id)
        .where(OutboundMail.status == OutboundStatus.FAILED)
        .order_by(col(OutboundMail.created_at).desc(), col(OutboundMail.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [
        FailedLetter(
            id=mail.id or 0,
            case_id=case.id or 0,
            case_reference=case.reference,
            to_address=mail.to_address,
            subject=letter.subject,
            attempts=mail.attempts,
            reason=mail.last_error,
            created_at=mail.created_at,
        )
        for mail, letter, case in rows
    ]


def retry_letter(session: Session, ctx: AppContext, outbound_id: int, actor: Actor) -> OutboundMail:
    """Send a failed letter again (e.g. after the address or the relay was fixed)."""
    require_role(actor, Role.TEAM_LEAD, "resend a letter")
    row = session.get(OutboundMail, outbound_id)
    if row is None or row.status is not OutboundStatus.FAILED:
        raise WorkflowError("That letter has not failed (someone may have resent it).")
    row.status = OutboundStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = ctx.clock()
    case = session.get(Case, row.case_id)
    if case is not None:
        record_event(
            session, case, "email_retry", f"Asked to email the letter to {row.to_address} again",
            actor, outbound_id=row.id,
        )  # fmt: skip
    session.add(row)
    session.flush()
    return row
