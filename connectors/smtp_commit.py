"""Group commit: several SMTP sessions' messages stored in one transaction, each told when."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert
from sqlmodel import col

from store.models import Channel, Inbound, InboundStatus

log = logging.getLogger(__name__)


class StoreUnavailable(Exception):
    """The message could not be committed; the sender must be told to try again later."""


@dataclass
class _Pending:
    raw: bytes
    envelope: dict[str, Any]
    received_at: datetime
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[int] = field(repr=False)


class GroupCommitter:
    """One writer thread: it takes every message waiting, stores them all, commits once.

    Each SMTP session awaits its own message's commit before replying 250, so durability
    is per message while the cost of a commit (an fsync) is shared by the whole batch.
    """

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime],
        on_commit: Callable[[], None] = lambda: None,
        max_batch: int = 100,
        linger_seconds: float = 0.002,
    ):
        self.engine = engine
        self.clock = clock
        self.on_commit = on_commit
        self.max_batch = max_batch
        self.linger_seconds = linger_seconds
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="smtp-commit", daemon=True)
        self._thread.start()

    async def store(self, raw: bytes, envelope: dict[str, Any]) -> int:
        """Store one message durably; returns its id once committed, else StoreUnavailable."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        self._queue.put(_Pending(raw, envelope, self.clock(), loop, future))
        return await future

    def stop(self, timeout: float = 10.0) -> None:
        """Commit what is waiting, then stop the writer thread."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            stopping = self._take_waiting(batch)
            if len(batch) == 1 and not stopping:
                # Alone: wait a moment for other sessions' messages (like PostgreSQL's
                # commit_delay), since a commit costs an fsync whatever its size. When mail
                # piled up during the last commit, there is no need to wait.
                stopping = self._take_waiting(batch, until=time.monotonic() + self.linger_seconds)
            self._commit(batch)

    def _take_waiting(self, batch: list[_Pending], until: float | None = None) -> bool:
        """Add queued messages to the batch (waiting until `until`); True when told to stop."""
        while len(batch) < self.max_batch:
            try:
                if until is None:
                    item = self._queue.get_nowait()
                else:
                    item = self._queue.get(timeout=max(0.0, until - time.monotonic()))
            except queue.Empty:
                return False
            if item is None:
                return True
            batch.append(item)
        return False

    def _commit(self, batch: list[_Pending]) -> None:
        try:
            # One multi-row INSERT ... RETURNING on a plain connection: the ORM's per-object
            # work would cost more per batch than the commit itself.
            with self.engine.begin() as connection:
                ids = list(
                    connection.execute(
                        insert(Inbound).returning(col(Inbound.id), sort_by_parameter_order=True),
                        [_row(item) for item in batch],
                    ).scalars()
                )
        except Exception as exc:
            # Nothing of this batch is stored (the transaction rolled back): every sender in
            # it gets a temporary failure and will try again.
            log.warning("could not store %d received message(s): %s", len(batch), exc)
            _settle(batch, [StoreUnavailable(str(exc))] * len(batch))
            return
        _settle(batch, [inbound_id or 0 for inbound_id in ids])
        try:
            self.on_commit()
        except Exception:
            log.exception("waking the workers failed")


def _row(item: _Pending) -> dict[str, Any]:
    """The queue row for one message, as store.crud.enqueue_inbound would make it."""
    return {
        "channel": Channel.EMAIL,
        "raw": item.raw,
        "raw_sha256": hashlib.sha256(item.raw).hexdigest(),
        "envelope": item.envelope,
        "external_id": None,
        "received_at": item.received_at,
        "available_at": item.received_at,
        "status": InboundStatus.QUEUED,
        "attempts": 0,
        "claimed_by": "",
        "last_error": "",
        "failed_step": "",
        "receipts": 1,
    }


def _settle(batch: list[_Pending], outcomes: list[int | Exception]) -> None:
    """Wake each waiting session with its outcome: one wake-up per event loop, not per message."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Pending, int | Exception]]] = {}
    for item, outcome in zip(batch, outcomes, strict=True):
        by_loop.setdefault(item.loop, []).append((item, outcome))

    def settle(pairs: list[tuple[_Pending, int | Exception]]) -> None:
        for item, outcome in pairs:
            if item.future.done():  # the session went away (timeout, disconnect)
                continue
            if isinstance(outcome, Exception):
                item.future.set_exception(outcome)
            else:
                item.future.set_result(outcome)

    for loop, pairs in by_loop.items():
        # RuntimeError: the SMTP loop has closed, so nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, pairs)
