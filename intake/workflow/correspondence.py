"""Letters filed in the case as outgoing messages, and previews of them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from intake.context import AppContext
from intake.deadlines import compute_deadlines
from intake.letters import Letter, long_date
from intake.workflow.base import Actor, record_event, today
from store.models import (
    Case,
    Direction,
    Message,
    Resident,
)


def resident_of(session: Session, case: Case) -> Resident | None:
    return session.get(Resident, case.resident_id) if case.resident_id else None


def resident_name(session: Session, case: Case) -> str:
    resident = resident_of(session, case)
    return resident.name if resident and resident.name else ""


def write_letter(
    session: Session,
    ctx: AppContext,
    case: Case,
    actor: Actor,
    kind: str,
    **extra: Any,
) -> Message:
    """Render a letter and file it in the case as an outgoing message (5.12)."""
    context = ctx.letters.base_context(case, resident_name(session, case), actor.name)
    context.update(extra)
    letter: Letter = ctx.letters.render(kind, context)
    resident = resident_of(session, case)
    message = Message(
        case_id=case.id,
        direction=Direction.OUT,
        channel=case.channel,
        at=ctx.clock(),
        sender=ctx.settings.mail_from,
        sender_name=ctx.settings.landlord_name,
        recipients=[resident.email] if resident and resident.email else [],
        subject=letter.subject,
        body_text=letter.body,
        letter=kind,
        author_id=actor.user_id,
    )
    session.add(message)
    session.flush()
    record_event(
        session,
        case,
        "letter",
        f"Letter: {letter.subject}",
        actor,
        message_id=message.id,
        letter=kind,
        at=ctx.clock(),
    )
    # Email it to the resident in this same transaction (imported here: mail imports workflow).
    from intake.mail.outbound import queue_letter

    queue_letter(session, ctx, case, message)
    return message


def preview_letter(
    session: Session, ctx: AppContext, case: Case, actor: Actor, kind: str, **extra: Any
) -> Letter:
    """The letter as it would be sent, without filing it."""
    context = ctx.letters.base_context(case, resident_name(session, case), actor.name)
    context.update(extra)
    return ctx.letters.render(kind, context)


def acknowledgement_context(session: Session, ctx: AppContext, case: Case) -> dict[str, Any]:
    """The respond-by date an acknowledgement sent today would promise."""
    stage = case.stage or 1
    deadlines = compute_deadlines(
        case.received_at,
        calendar=ctx.calendar,
        policy=ctx.settings.policy,
        stage=stage,
        acknowledged=today(ctx),
    )
    return {"respond_by": long_date(deadlines.respond_by)}
