"""Server-side staff sessions: a random cookie token, idle and absolute expiry, sign-out."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from intake.context import AppContext
from store.models import StaffUser, WebSession

SESSION_COOKIE = "intake_session"
# Recording activity on every request would make each page view a database write; once a
# minute is precise enough for an idle timeout measured in tens of minutes.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SignedIn:
    """The person behind a request and their session."""

    user: StaffUser
    session: WebSession

    @property
    def csrf_token(self) -> str:
        """The token every state-changing form must carry."""
        return self.session.csrf_token


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    db: Session, ctx: AppContext, user: StaffUser, *, method: str = "password", user_agent: str = ""
) -> str:
    """Open a session for a person who has just proved who they are; returns the cookie value.

    A fresh token every time, so a token planted before sign-in is worthless afterwards.
    """
    token = secrets.token_urlsafe(32)
    now = ctx.clock()
    db.add(
        WebSession(
            token_hash=_hash(token),
            user_id=user.id or 0,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            method=method,
            user_agent=user_agent[:300],
        )
    )
    user.last_login_at = now
    db.add(user)
    return token


def _expired(ctx: AppContext, row: WebSession, now: datetime) -> bool:
    idle = timedelta(minutes=ctx.settings.session_idle_minutes)
    lifetime = timedelta(hours=ctx.settings.session_max_hours)
    return now - row.last_seen_at > idle or now - row.created_at > lifetime


def load_session(db: Session, ctx: AppContext, token: str | None) -> SignedIn | None:
    """The live session for a cookie value, or None; records activity and ends stale ones."""
    if not token or len(token) > 200:
        return None
    row = db.exec(select(WebSession).where(WebSession.token_hash == _hash(token))).first()
    if row is None:
        return None
    now = ctx.clock()
    user = db.get(StaffUser, row.user_id)
    if user is None or not user.is_active or _expired(ctx, row, now):
        db.delete(row)
        db.commit()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.add(row)
        db.commit()
    return SignedIn(user=user, session=row)


def end_session(db: Session, token: str | None) -> None:
    """Sign out: the cookie stops working at once, wherever it was copied to."""
    if token:
        db.exec(delete(WebSession).where(col(WebSession.token_hash) == _hash(token)))


def end_all_sessions(db: Session, user_id: int, *, keep: WebSession | None = None) -> int:
    """End a person's other sessions (password changed, account disabled or role changed)."""
    query = delete(WebSession).where(col(WebSession.user_id) == user_id)
    if keep is not None and keep.id is not None:
        query = query.where(col(WebSession.id) != keep.id)
    result = db.exec(query)
    return int(result.rowcount or 0)
