"""The chat's defences: allowed sites (Origin), rate limits per connection and per address."""

from __future__ import annotations

import secrets
import threading
from urllib.parse import urlsplit

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from intake.settings import Settings


def _origin_key(origin: str) -> str:
    parts = urlsplit(origin.strip().lower())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{parts.hostname}:{parts.port or default}"


def origin_allowed(origin: str | None, host: str | None, settings: Settings) -> bool:
    """True when the page that opened the socket is on an allowed site, or on this server.

    Browsers always send Origin with a websocket; without one, or with "null" (a sandboxed
    frame or a file), the chat is refused. This stops other sites using a resident's
    browser to talk to the chat (cross-site websocket hijacking).
    """
    if not origin or origin == "null":
        return False
    key = _origin_key(origin)
    if not key:
        return False
    allowed = {_origin_key(o) for o in settings.chat_origins}
    if key in allowed:
        return True
    # The stand-alone /chat page is on this server: its own origin is always allowed.
    if host:
        parts = urlsplit(origin.strip().lower())
        netloc = parts.netloc
        own = host.strip().lower()
        return netloc == own or (parts.port is None and own.split(":")[0] == netloc)
    return False


class RateLimits:
    """Moving-window limits (the `limits` package) for turns and open chats."""

    def __init__(self, settings: Settings):
        self._storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self._storage)
        self.per_connection: list[RateLimitItem] = parse_many(settings.chat_rate_limit)
        self.per_address: list[RateLimitItem] = parse_many(settings.chat_address_rate_limit)
        self.max_connections = settings.chat_max_connections_per_address
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()

    def allow_turn(self, connection: str, address: str) -> bool:
        """Count one resident turn; False when either limit is used up."""
        # Test every limit first, so a refused turn does not use up the others.
        if not all(self._limiter.test(i, "conn", connection) for i in self.per_connection):
            return False
        if not all(self._limiter.test(i, "addr", address) for i in self.per_address):
            return False
        for item in self.per_connection:
            self._limiter.hit(item, "conn", connection)
        for item in self.per_address:
            self._limiter.hit(item, "addr", address)
        return True

    def open_connection(self, address: str) -> bool:
        """Count an open chat from an address; False when it already has too many."""
        with self._lock:
            if self._open.get(address, 0) >= self.max_connections:
                return False
            self._open[address] = self._open.get(address, 0) + 1
            return True

    def close_connection(self, address: str) -> None:
        """The chat from this address has closed."""
        with self._lock:
            left = self._open.get(address, 0) - 1
            if left > 0:
                self._open[address] = left
            else:
                self._open.pop(address, None)


def connection_key() -> str:
    """A name for one socket in the rate limiter."""
    return secrets.token_hex(8)
