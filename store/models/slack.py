"""Slack's share of the record: where each case's triage card lives, and the daily digests sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime, utcnow


class SlackCard(SQLModel, table=True):
    """A case's triage card in Slack: where it goes, whether it is posted, what it last showed.

    The row is written in the same transaction as the logged message, so a card that could
    not be posted at once (Slack down, the process stopped) is posted later by the card sync.
    """

    __tablename__ = "slack_card"
    __table_args__ = (Index("ix_slack_card_thread", "channel", "thread_ts"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    # The Slack message that was logged, "team/channel/ts": one case per Slack message.
    source_key: str | None = Field(default=None, max_length=200, unique=True)
    channel: str = Field(max_length=50)  # where the card goes (a channel, DM or user id)
    thread_ts: str | None = Field(default=None, max_length=40)  # the thread it replies in
    ts: str | None = Field(default=None, max_length=40, index=True)  # the card, once posted
    logged_by: str = Field(default="", max_length=50)  # Slack user id of the member of staff
    # The case version the card last showed; a newer case version means "update the card".
    rendered_version: int = 0
    # A claim on posting or updating the card, so two processes never post it twice.
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    posted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SlackDigestRun(SQLModel, table=True):
    """One day's digest; the unique day means one post a day, however many processes run."""

    __tablename__ = "slack_digest_run"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    posted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    last_error: str = Field(default="", max_length=1000)
