"""The chat's defences: allowed sites (Origin), rate limits per connection and per address."""

from __future__ import annotations

import logging
import secrets
import threading
from urllib.parse import urlsplit

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage as AsyncStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import ConfigurationError
from limits.storage import storage_from_string

from intake.settings import Settings

log = logging.getLogger(__name__)


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


# Never wait long on the store: the chat answers the resident meanwhile.
STORE_TIMEOUT_SECONDS = 1.0


def rate_limit_storage(settings: Settings) -> AsyncStorage:
    """The counters' store named by INTAKE_CHAT_RATE_LIMIT_STORAGE (its asyncio client, so a
    slow store never blocks other chats), or a clear error."""
    uri = settings.chat_rate_limit_storage.get_secret_value().strip()
    scheme = uri.split("://", 1)[0] or uri
    options: dict[str, float | str | bool] = {}
    if scheme in ("redis", "rediss"):
        # redis-py, the well-known client (limits defaults to coredis for asyncio).
        options = {
            "implementation": "redispy",
            "key_prefix": "intake:chat",
            "socket_timeout": STORE_TIMEOUT_SECONDS,
            "socket_connect_timeout": STORE_TIMEOUT_SECONDS,
        }
    try:
        storage = storage_from_string(f"async+{uri}", **options)
    except ConfigurationError as exc:
        # Never echo the URI: it may carry a password.
        reason = "unknown kind of store" if uri in str(exc) else str(exc).split(".")[0]
        raise ValueError(
            f"INTAKE_CHAT_RATE_LIMIT_STORAGE: cannot use a {scheme!r} store ({reason}); "
            "use memory:// or redis://host:6379/0 (pip install 'intake[redis]')"
        ) from None
    assert isinstance(storage, AsyncStorage)
    return storage


class RateLimits:
    """Moving-window limits (the `limits` package) for turns and open chats.

    Turn counts live in the configured store, so with Redis every worker shares them; the
    count of open chats is per process, because a socket belongs to one process.
    """

    def __init__(self, settings: Settings):
        self._storage = rate_limit_storage(settings)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self.per_connection: list[RateLimitItem] = parse_many(settings.chat_rate_limit)
        self.per_address: list[RateLimitItem] = parse_many(settings.chat_address_rate_limit)
        self.max_connections = settings.chat_max_connections_per_address
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()

    async def allow_turn(self, connection: str, address: str) -> bool:
        """Count one resident turn; False when either limit is used up.

        If the store cannot be reached the turn is allowed: a resident's message matters
        more than the limit, and the outage is logged.
        """
        try:
            return await self._count_turn(connection, address)
        except Exception as exc:  # redis-py's errors differ by version; any outage counts
            log.warning("chat rate limits not applied: the store failed (%s)", type(exc).__name__)
            return True

    async def _count_turn(self, connection: str, address: str) -> bool:
        # Test every limit first, so a refused turn does not use up the others.
        for item in self.per_connection:
            if not await self._limiter.test(item, "conn", connection):
                return False
        for item in self.per_address:
            if not await self._limiter.test(item, "addr", address):
                return False
        for item in self.per_connection:
            await self._limiter.hit(item, "conn", connection)
        for item in self.per_address:
            await self._limiter.hit(item, "addr", address)
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
