"""Slow down password guessing: a few failed sign-ins lock that email address for a while."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


class SignInThrottle:
    """Counts recent failures per email address, in this process."""

    def __init__(self, clock: Callable[[], datetime]):
        self.clock = clock
        self._failures: dict[str, list[datetime]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: datetime) -> list[datetime]:
        recent = [t for t in self._failures.get(key, []) if now - t < WINDOW]
        if recent:
            self._failures[key] = recent
        else:
            self._failures.pop(key, None)
        return recent

    def minutes_locked(self, email: str) -> int:
        """0 when a sign-in may be tried; otherwise the whole minutes to wait."""
        key = email.strip().lower()
        now = self.clock()
        with self._lock:
            recent = self._recent(key, now)
            if len(recent) < MAX_FAILURES:
                return 0
            remaining = WINDOW - (now - recent[-MAX_FAILURES])
        return max(1, int(remaining.total_seconds() // 60) + 1)

    def failed(self, email: str) -> None:
        """Record a failed attempt."""
        key = email.strip().lower()
        now = self.clock()
        with self._lock:
            self._failures[key] = [*self._recent(key, now), now]

    def succeeded(self, email: str) -> None:
        """Forget the failures once the right password is given."""
        with self._lock:
            self._failures.pop(email.strip().lower(), None)
