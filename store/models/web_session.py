"""Staff web sessions, kept server-side so signing out or disabling an account ends them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from store.types import UTCDateTime, utcnow


class WebSession(SQLModel, table=True):
    """One browser's sign-in; the cookie holds a random token, only its SHA-256 is stored."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="staff_user.id", index=True)
    # Every state-changing form carries this; a forged cross-site request cannot know it.
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # How the person signed in: "password", or "oidc" once single sign-on is configured.
    method: str = Field(default="password", max_length=20)
    user_agent: str = Field(default="", max_length=300)
