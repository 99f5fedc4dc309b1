"""Background workers: claim queued messages and run the pipeline, never in a connector's loop."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from intake.context import AppContext
from intake.pipeline.prefetch import prefetch
from intake.pipeline.runner import MAX_ATTEMPTS, Step, load_steps, process
from store.crud import claim_next_inbound
from store.db import session_scope
from store.models import InboundStatus

log = logging.getLogger(__name__)

# A claim is a lease: if the worker dies, the message becomes claimable again after this.
LEASE = timedelta(minutes=5)
# Most messages claimed at once, to be classified together.
PREFETCH = 16


def claim(ctx: AppContext, worker_name: str) -> int | None:
    """Claim the next message; quarantine one that has already crashed workers too often."""
    with session_scope(ctx.engine) as session:
        inbound = claim_next_inbound(
            session=session, worker=worker_name, lease=LEASE, now=ctx.clock()
        )
        if inbound is None:
            return None
        if inbound.attempts > MAX_ATTEMPTS:
            # Earlier workers died on it (their leases ran out): keep it, but stop retrying.
            inbound.status = InboundStatus.QUARANTINED
            inbound.last_error = inbound.last_error or (
                f"Processing stopped {MAX_ATTEMPTS} times without finishing (the worker was "
                "killed or crashed)."
            )
            return None
        assert inbound.id is not None
        return inbound.id


def drain(
    ctx: AppContext,
    *,
    worker_name: str = "drain",
    steps: list[tuple[str, Step]] | None = None,
    limit: int | None = None,
) -> int:
    """Process queued messages until none is due; returns how many were processed."""
    steps = steps or load_steps()
    done = 0
    while limit is None or done < limit:
        # When several messages are already due, classify them in one model call (the model
        # costs about as much for 16 texts as for one), then triage each in turn.
        chunk: list[int] = []
        while len(chunk) < PREFETCH and (limit is None or done + len(chunk) < limit):
            inbound_id = claim(ctx, worker_name)
            if inbound_id is None:
                break
            chunk.append(inbound_id)
        if not chunk:
            break
        batch_ctx = prefetch(ctx, chunk) if len(chunk) > 1 else ctx
        for inbound_id in chunk:
            process(batch_ctx, inbound_id, steps)
            done += 1
    return done


class Worker(threading.Thread):
    """One worker thread; several may run, in one process on SQLite, in many on PostgreSQL."""

    def __init__(self, ctx: AppContext, index: int = 0, idle_seconds: float = 0.2):
        super().__init__(name=f"intake-worker-{index}", daemon=True)
        self.ctx = ctx
        self.idle_seconds = idle_seconds
        self.worker_name = f"{socket.gethostname()}:{os.getpid()}:{index}"
        self.stopping = threading.Event()
        self.wakeup = threading.Event()

    def run(self) -> None:
        steps = load_steps()
        while not self.stopping.is_set():
            try:
                processed = drain(self.ctx, worker_name=self.worker_name, steps=steps, limit=50)
            except Exception:
                # A database outage must not kill the worker: wait and try again.
                log.exception("worker %s could not reach the queue", self.worker_name)
                processed = 0
            if processed == 0:
                self.wakeup.wait(self.idle_seconds)
                self.wakeup.clear()

    def notify(self) -> None:
        """Wake the worker now (a connector just queued something)."""
        self.wakeup.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current message and stop."""
        self.stopping.set()
        self.wakeup.set()
        self.join(timeout)
