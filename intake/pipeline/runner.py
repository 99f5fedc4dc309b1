"""Runs the pipeline over one queued message, inside one transaction; failures never lose it."""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session

from intake.context import AppContext
from intake.pipeline import PIPELINE
from intake.pipeline.item import StopPipeline, Unreadable, WorkItem
from store.db import session_scope
from store.models import Inbound, InboundStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
Step = Callable[[WorkItem, AppContext, Session], None]


def load_steps(names: tuple[str, ...] = PIPELINE) -> list[tuple[str, Step]]:
    """Each step is intake.pipeline.steps.<name>.run."""
    return [(name, importlib.import_module(f"intake.pipeline.steps.{name}").run) for name in names]


def uses_database(name: str) -> bool:
    """Steps that only compute (parse, classify, define, flag) say so with USES_DATABASE = False."""
    module = importlib.import_module(f"intake.pipeline.steps.{name}")
    return bool(getattr(module, "USES_DATABASE", True))


class StepFailed(Exception):
    """A step raised; carries the step's name for the quarantine record."""

    def __init__(self, step: str, error: BaseException):
        super().__init__(f"{step}: {type(error).__name__}: {error}")
        self.step = step
        self.error = error


def run_steps(
    item: WorkItem, ctx: AppContext, session: Session, steps: list[tuple[str, Step]]
) -> None:
    """Run the steps in order; a StopPipeline ends the run as a normal outcome."""
    for name, step in steps:
        try:
            step(item, ctx, session)
        except StopPipeline:
            raise
        except Exception as exc:
            raise StepFailed(name, exc) from exc


def process(
    ctx: AppContext, inbound_id: int, steps: list[tuple[str, Step]] | None = None
) -> InboundStatus:
    """Triage one claimed message. On failure it is retried later, then quarantined."""
    steps = steps or load_steps()
    # Steps that only compute run first, outside any transaction, so a slow model never holds
    # the database's write lock while connectors are trying to store new mail.
    compute = [(n, f) for n, f in steps if not uses_database(n)]
    store = [(n, f) for n, f in steps if uses_database(n)]
    with Session(ctx.engine, expire_on_commit=False) as read:
        snapshot = read.get(Inbound, inbound_id)
        if snapshot is None or snapshot.status in (InboundStatus.DONE, InboundStatus.DUPLICATE):
            return snapshot.status if snapshot else InboundStatus.DONE
        read.expunge(snapshot)
    item = WorkItem(inbound=snapshot)
    try:
        with Session(ctx.engine) as unused:  # compute steps run no SQL, so no lock is taken
            run_steps(item, ctx, unused, compute)
    except StepFailed as failure:
        log.warning("inbound %s failed at step %s: %s", inbound_id, failure.step, failure.error)
        return _record_failure(ctx, inbound_id, failure.step, failure.error)
    try:
        with session_scope(ctx.engine) as session:
            inbound = session.get(Inbound, inbound_id)
            if inbound is None or inbound.status in (InboundStatus.DONE, InboundStatus.DUPLICATE):
                return inbound.status if inbound else InboundStatus.DONE
            item.inbound = inbound
            try:
                run_steps(item, ctx, session, store)
                status = InboundStatus.DONE
            except StopPipeline as stop:
                status = stop.status
                log.info("inbound %s: %s (%s)", inbound_id, status.value, stop)
            inbound.status = status
            inbound.processed_at = ctx.clock()
            inbound.last_error = ""
            inbound.failed_step = ""
            if item.case is not None:
                inbound.case_id = item.case.id
            if item.stored is not None:
                inbound.message_id = item.stored.id
            return status
    except StepFailed as failure:
        log.warning("inbound %s failed at step %s: %s", inbound_id, failure.step, failure.error)
        return _record_failure(ctx, inbound_id, failure.step, failure.error)
    except Exception as exc:  # the commit itself failed, or the database went away
        log.warning("inbound %s could not be stored after triage: %s", inbound_id, exc)
        return _record_failure(ctx, inbound_id, "commit", exc)


def _record_failure(
    ctx: AppContext, inbound_id: int, step: str, error: BaseException
) -> InboundStatus:
    """Keep the message; back off, and after MAX_ATTEMPTS quarantine it with a readable reason.

    A message that cannot be read is quarantined at once: retrying cannot change the bytes.
    """
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    with session_scope(ctx.engine) as session:
        inbound = session.get(Inbound, inbound_id)
        if inbound is None:
            return InboundStatus.QUARANTINED
        inbound.last_error = detail[:4000]
        inbound.failed_step = step
        if inbound.attempts >= MAX_ATTEMPTS or isinstance(error, Unreadable):
            inbound.status = InboundStatus.QUARANTINED
        else:
            inbound.status = InboundStatus.QUEUED
            inbound.available_at = ctx.clock() + timedelta(seconds=2**inbound.attempts)
        return inbound.status
