"""Resident web chat conversations and their turns, as the resident saw them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from store.models.enums import Direction
from store.types import JSONType, UTCDateTime, enum_type, utcnow


class ChatConversation(SQLModel, table=True):
    """One resident's chat: where the conversation is, and the case it opened.

    The id is random and unguessable, but it is not enough to resume: the browser also
    holds a resume token, of which only the SHA-256 is stored here.
    """

    __tablename__ = "chat_conversation"

    id: str = Field(primary_key=True, max_length=64)
    token_hash: str = Field(max_length=64)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    step: str = Field(default="listening", max_length=40)
    # What the conversation has learnt so far (the resident's account, choices, details).
    state: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    turns: int = 0
    origin: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChatTurn(SQLModel, table=True):
    """One line of a chat, in or out, in order; replayed when a dropped connection resumes."""

    __tablename__ = "chat_turn"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        # A resent message (after a reconnect) is stored once.
        UniqueConstraint("conversation_id", "client_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(foreign_key="chat_conversation.id", index=True, max_length=64)
    seq: int
    direction: Direction = Field(sa_type=enum_type(Direction))
    text: str = Field(default="")
    # Quick replies offered with a bot line: [{"value": ..., "label": ...}].
    choices: list[dict[str, str]] = Field(default_factory=list, sa_type=JSONType)
    client_id: str | None = Field(default=None, max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Where the turn went in the case record: the queued message, or the outgoing Message.
    inbound_id: int | None = Field(default=None, foreign_key="inbound.id")
    message_id: int | None = Field(default=None, foreign_key="message.id")
