"""Accept a message from any non-email channel: store it durably and queue it for triage."""

from __future__ import annotations

from sqlmodel import Session

from intake.context import AppContext
from intake.inbound import InboundMessage
from intake.pipeline.steps.parse import PAYLOAD_FORMAT
from intake.pipeline.steps.thread import open_case
from intake.workflow import Actor, provisional_deadline, record_event
from store.crud import enqueue_inbound, payload_bytes
from store.models import Case, Channel, Inbound


def submit(
    session: Session,
    ctx: AppContext,
    message: InboundMessage,
    *,
    actor: Actor | None = None,
    open_new_case: bool = False,
    external_id: str | None = None,
) -> tuple[Inbound, Case | None]:
    """Store and queue a message in the caller's transaction; commit before saying "received".

    With `open_new_case` the case is created now (so staff get its reference at once) and
    the worker fills in the proposal; otherwise the worker threads the message itself.
    """
    if message.received_at is None:
        message.received_at = ctx.clock()
    case = None
    if open_new_case and message.case_id is None:
        case = _open(session, ctx, message)
        message.case_id = case.id
    inbound = enqueue_inbound(
        session=session,
        channel=Channel(message.channel),
        raw=payload_bytes(message.to_payload()),
        external_id=external_id,
        received_at=ctx.clock(),
        envelope={"format": PAYLOAD_FORMAT, **({"logged_by": actor.name} if actor else {})},
    )
    if case is not None:
        record_event(
            session,
            case,
            "received",
            f"Message received by {message.channel.replace('_', ' ')}"
            + (f", logged by {actor.name}" if actor else ""),
            actor or Actor.system(),
            at=ctx.clock(),
        )
    return inbound, case


def _open(session: Session, ctx: AppContext, message: InboundMessage) -> Case:
    case = open_case(message, session)
    provisional_deadline(ctx, case)
    return case
