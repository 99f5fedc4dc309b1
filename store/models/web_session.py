"""Staff web sessions (server-side, so signing out ends them) and recent failed sign-ins."""

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


class SignInFailure(SQLModel, table=True):
    """A wrong password for an email address; kept in the database so a lockout holds in every
    process and across restarts. Rows older than the lockout window are deleted."""

    __tablename__ = "sign_in_failure"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, index=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
