"""Slow down password guessing: a few failed sign-ins lock that email address for a while."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from store.models import SignInFailure

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def _key(email: str) -> str:
    return email.strip().lower()[:320]


class SignInThrottle:
    """Counts recent failures per email address in the database, so every worker process and
    a restart see the same count (an attacker cannot reset it by waiting for a redeploy)."""

    def __init__(self, clock: Callable[[], datetime]):
        self.clock = clock

    def minutes_locked(self, session: Session, email: str) -> int:
        """0 when a sign-in may be tried; otherwise the whole minutes to wait."""
        now = self.clock()
        recent = session.exec(
            select(SignInFailure.at)
            .where(SignInFailure.email == _key(email), SignInFailure.at > now - WINDOW)
            .order_by(col(SignInFailure.at).desc())
            .limit(MAX_FAILURES)
        ).all()
        if len(recent) < MAX_FAILURES:
            return 0
        # The lock lifts when the oldest of the last MAX_FAILURES leaves the window.
        remaining = WINDOW - (now - recent[-1])
        return max(1, int(remaining.total_seconds() // 60) + 1)

    def failed(self, session: Session, email: str) -> None:
        """Record a failed attempt (and forget everyone's attempts older than the window)."""
        now = self.clock()
        session.exec(delete(SignInFailure).where(col(SignInFailure.at) <= now - WINDOW))
        session.add(SignInFailure(email=_key(email), at=now))
        session.commit()

    def succeeded(self, session: Session, email: str) -> None:
        """Forget the failures once the right password is given (the caller commits)."""
        session.exec(delete(SignInFailure).where(col(SignInFailure.email) == _key(email)))
