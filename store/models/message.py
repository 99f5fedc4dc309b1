"""Messages in and out, their attachments, the durable intake queue and the outbound mail queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from store.models.enums import Channel, Direction, InboundStatus, OutboundStatus
from store.types import BytesType, JSONType, UTCDateTime, enum_type, utcnow


class Inbound(SQLModel, table=True):
    """A message exactly as a connector received it, and its place in the intake queue.

    A connector commits this row before it tells the sender "received"; workers then parse
    and triage it. Nothing here is ever deleted, so nothing accepted is ever lost.
    """

    __table_args__ = (Index("ix_inbound_claim", "status", "available_at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: Channel = Field(sa_type=enum_type(Channel))
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Email: the RFC 5322 bytes as received. Other channels: UTF-8 JSON of the payload.
    raw: bytes = Field(sa_type=BytesType)
    raw_sha256: str = Field(max_length=64, index=True)
    envelope: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    # A channel's own delivery id (Slack event id, chat turn id) for idempotent retries.
    external_id: str | None = Field(default=None, max_length=200, unique=True)
    status: InboundStatus = Field(default=InboundStatus.QUEUED, sa_type=enum_type(InboundStatus))
    attempts: int = 0
    available_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_by: str = Field(default="", max_length=100)
    last_error: str = Field(default="", max_length=4000)
    failed_step: str = Field(default="", max_length=50)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    message_id: int | None = Field(default=None)
    receipts: int = 1  # how many times the same message was delivered


class Message(SQLModel, table=True):
    """One message of a case, in or out: the record of correspondence (5.12)."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    inbound_id: int | None = Field(default=None, foreign_key="inbound.id", index=True)
    direction: Direction = Field(default=Direction.IN, sa_type=enum_type(Direction))
    channel: Channel = Field(sa_type=enum_type(Channel))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sender: str = Field(default="", max_length=320)
    sender_name: str = Field(default="", max_length=200)
    recipients: list[str] = Field(default_factory=list, sa_type=JSONType)
    subject: str = Field(default="", max_length=1000)
    # The new text the resident wrote, as classified; quoted replies and signature apart.
    body_text: str = Field(default="")
    quoted_text: str = Field(default="")
    signature: str = Field(default="")
    message_id_header: str | None = Field(default=None, max_length=998, index=True)
    in_reply_to: str | None = Field(default=None, max_length=998)
    references: list[str] = Field(default_factory=list, sa_type=JSONType)
    content_sha256: str = Field(default="", max_length=64, index=True)
    # For outgoing letters: which template ("acknowledgement", "extension", ...).
    letter: str = Field(default="", max_length=50)
    author_id: int | None = Field(default=None, foreign_key="staff_user.id")
    # Channel details: Slack permalink and author, chat conversation, staff-form notes ...
    meta: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)


class Attachment(SQLModel, table=True):
    """A file that came with a message; kept, never parsed as text."""

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    filename: str = Field(default="", max_length=500)
    content_type: str = Field(default="application/octet-stream", max_length=200)
    size: int = 0
    sha256: str = Field(default="", max_length=64)
    data: bytes = Field(default=b"", sa_type=BytesType)


class OutboundMail(SQLModel, table=True):
    """A letter waiting for, or done with, the SMTP relay; failures stay visible."""

    __tablename__ = "outbound_mail"
    __table_args__ = (Index("ix_outbound_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    message_id: int = Field(foreign_key="message.id")
    to_address: str = Field(max_length=320)
    raw: bytes = Field(sa_type=BytesType)
    status: OutboundStatus = Field(
        default=OutboundStatus.PENDING, sa_type=enum_type(OutboundStatus)
    )
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=4000)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
