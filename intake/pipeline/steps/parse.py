"""Step `parse`: turn the stored raw message into an InboundMessage and file it as a Message."""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable

from sqlmodel import Session

from intake.context import AppContext
from intake.inbound import InboundMessage
from intake.pipeline.item import Unreadable, WorkItem
from store.models import Attachment, Channel, Direction, Message

# Channels whose raw form is not our JSON payload name their parser here.
RAW_PARSERS: dict[str, str] = {Channel.EMAIL.value: "intake.mail.parse:parse_email"}


# Set in Inbound.envelope by intake/submit.py: the raw bytes are our JSON payload, whatever the
# channel (staff may log an email a resident sent them personally).
PAYLOAD_FORMAT = "intake-json"


def _parser(channel: str, envelope: dict[str, object]) -> Callable[[bytes], InboundMessage]:
    target = RAW_PARSERS.get(channel)
    if target is None or envelope.get("format") == PAYLOAD_FORMAT:
        return InboundMessage.from_payload
    module, attr = target.split(":")
    parser: Callable[[bytes], InboundMessage] = getattr(importlib.import_module(module), attr)
    return parser


def content_hash(message: InboundMessage) -> str:
    """What makes two deliveries 'the same message': who, subject and every word of the body."""
    material = "\x1f".join(
        [message.sender.lower(), message.subject, message.text, message.quoted_text]
    )
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


# Computes only: the runner calls it before opening the write transaction.
USES_DATABASE = False


def run(item: WorkItem, ctx: AppContext, session: Session) -> None:
    """Parse the raw message and cap absurd sizes; `thread` files it once its case is known."""
    inbound = item.inbound
    try:
        message = _parser(inbound.channel, inbound.envelope)(inbound.raw)
    except (ValueError, TypeError, LookupError) as exc:  # bad JSON, bytes, types or charset
        raise Unreadable(f"the stored {inbound.channel} message cannot be read: {exc}") from exc
    raw_email = inbound.channel in RAW_PARSERS and inbound.envelope.get("format") != PAYLOAD_FORMAT
    historic = bool(inbound.envelope.get("historic"))
    reverse_path = inbound.envelope.get("mail_from")
    if reverse_path is not None and not str(reverse_path).strip("<> ") and not message.automated:
        # The null sender (MAIL FROM:<>) marks bounces and other automatic notices (RFC 5321).
        message.automated = "null sender (a bounce or notice)"
        message.meta["automated"] = message.automated
    if message.received_at is None or (raw_email and not historic):
        # Receipt time is when we got it, not what a (forgeable) Date header claims;
        # only an import of old mail trusts the Date header.
        message.received_at = inbound.received_at
    limit = ctx.settings.max_message_chars
    truncated = len(message.text) > limit
    if truncated:
        message.text = message.text[:limit]
        message.meta["truncated"] = True
    item.message = message
    item.content_sha256 = content_hash(message)
    item.explain(
        "parse",
        channel=message.channel,
        characters=len(message.text),
        attachments=len(message.attachments),
        truncated=truncated,
    )


def file_message(item: WorkItem, session: Session, case_id: int | None) -> Message:
    """Store the parsed message and its attachments in the case (5.12: all correspondence)."""
    message = item.message
    assert message is not None and message.received_at is not None
    limit = 1_000_000
    stored = Message(
        case_id=case_id,
        inbound_id=item.inbound.id,
        direction=Direction.IN,
        channel=Channel(message.channel),
        at=message.received_at,
        sender=message.sender[:320],
        sender_name=message.sender_name[:200],
        subject=message.subject[:1000],
        body_text=message.text,
        quoted_text=message.quoted_text[:limit],
        signature=message.signature[:10_000],
        message_id_header=message.message_id[:998] if message.message_id else None,
        in_reply_to=message.in_reply_to[:998] if message.in_reply_to else None,
        references=message.references[:100],
        content_sha256=item.content_sha256,
        meta=message.meta,
    )
    session.add(stored)
    session.flush()
    for attachment in message.attachments:
        session.add(
            Attachment(
                message_id=stored.id or 0,
                filename=attachment.filename[:500],
                content_type=attachment.content_type[:200],
                size=len(attachment.data),
                sha256=hashlib.sha256(attachment.data).hexdigest(),
                data=attachment.data,
            )
        )
    item.stored = stored
    return stored
