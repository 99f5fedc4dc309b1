"""Group commit: several SMTP sessions' messages stored in one transaction, each told when."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert
from sqlmodel import Session, col

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
    ):
        self.engine = engine
        self.clock = clock
        self.on_commit = on_commit
        self.max_batch = max_batch
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
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        try:
            with Session(self.engine) as session:
                # One multi-row INSERT ... RETURNING: the ORM's per-object work would cost
                # three times as much per batch as the commit itself.
                ids = list(
                    session.execute(
                        insert(Inbound).returning(col(Inbound.id), sort_by_parameter_order=True),
                        [_row(item) for item in batch],
                    ).scalars()
                )
                session.commit()
        except Exception as exc:
            # Nothing of this batch is stored (the transaction rolled back): every sender in
            # it gets a temporary failure and will try again.
            log.warning("could not store %d received message(s): %s", len(batch), exc)
            for item in batch:
                _settle(item, error=StoreUnavailable(str(exc)))
            return
        for item, inbound_id in zip(batch, ids, strict=True):
            _settle(item, result=inbound_id)
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


def _settle(item: _Pending, *, result: int = 0, error: Exception | None = None) -> None:
    def settle() -> None:
        if item.future.done():  # the session went away (timeout, disconnect)
            return
        if error is not None:
            item.future.set_exception(error)
        else:
            item.future.set_result(result)

    # RuntimeError: the SMTP loop has closed, so nobody is waiting any more.
    with contextlib.suppress(RuntimeError):
        item.loop.call_soon_threadsafe(settle)
