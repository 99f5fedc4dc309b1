"""Put a chat turn's outcome in the case: open it, queue every turn, file replies and details."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from connectors.webchat.flow import pipeline_context
from connectors.webchat.records import add_bot_turn, turn_json
from connectors.webchat.state import Plan, Record, Reply
from connectors.webchat.wording import Wording
from intake.context import AppContext
from intake.inbound import InboundMessage
from intake.letters import long_date
from intake.submit import submit
from intake.workflow import Actor, current_stage, record_event
from store.db import session_scope
from store.models import (
    Case,
    Channel,
    ChatConversation,
    ChatTurn,
    Direction,
    Message,
    ReasonableAdjustment,
    Representative,
    Resident,
)

log = logging.getLogger(__name__)
RESIDENT = Actor.system("resident (web chat)")
ATTEMPTS = 3


def save_turn(
    ctx: AppContext, conversation_id: str, seq: int, plan: Plan, wording: Wording
) -> list[dict[str, Any]]:
    """Apply one turn's plan in one transaction; returns the chat's lines to send.

    A worker triaging the same case may commit first (the case row is versioned); then
    the whole transaction is tried again on the fresh row.
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with session_scope(ctx.engine) as session:
                lines = _save(session, ctx, conversation_id, seq, plan, wording)
            ctx.notify_workers()  # after the commit, so the worker finds the turn queued
            return lines
        except StaleDataError:
            if attempt == ATTEMPTS:
                raise
            log.info("chat %s: the case changed meanwhile; trying again", conversation_id)
    raise AssertionError("unreachable")


def _save(
    session: Session,
    ctx: AppContext,
    conversation_id: str,
    seq: int,
    plan: Plan,
    wording: Wording,
) -> list[dict[str, Any]]:
    conversation = session.get(ChatConversation, conversation_id)
    assert conversation is not None
    case = session.get(Case, conversation.case_id) if conversation.case_id else None
    context = pipeline_context(plan.state)
    if case is None and plan.open_case:
        case = _open_case(session, ctx, conversation, seq, context)
    if case is not None:
        queue_turns(session, ctx, conversation, case, context)
        for record in plan.records:
            _apply(session, ctx, case, record)
    values = _values(session, ctx, case)
    lines = []
    for reply in plan.replies:
        text = _render(wording, reply, values)
        choices = [
            {"value": key, "label": wording.render(f"choices.{key}")} for key in reply.choices
        ]
        message_id = _file_reply(session, ctx, conversation, case, text, reply.key)
        turn = add_bot_turn(session, ctx, conversation, text, choices, message_id)
        lines.append(turn_json(turn))
    conversation.state = plan.state.to_json()
    conversation.step = plan.state.step
    conversation.updated_at = ctx.clock()
    return lines


def _render(wording: Wording, reply: Reply, values: dict[str, Any]) -> str:
    if reply.text:
        return reply.text
    return wording.render(reply.key, **{**values, **reply.values})


def _values(session: Session, ctx: AppContext, case: Case | None) -> dict[str, Any]:
    if case is None:
        return {"reference": "", "acknowledge_by": ""}
    clock = current_stage(session, case)
    due = clock.acknowledge_by if clock else case.next_deadline
    return {"reference": case.reference, "acknowledge_by": long_date(due)}


def _open_case(
    session: Session, ctx: AppContext, conversation: ChatConversation, seq: int, context: str
) -> Case:
    """Open the case at the first substantive turn; the turns before it join it too."""
    turn = session.exec(
        select(ChatTurn).where(ChatTurn.conversation_id == conversation.id, ChatTurn.seq == seq)
    ).one()
    inbound, case = submit(
        session,
        ctx,
        _inbound(conversation, turn, context),
        open_new_case=True,
        external_id=_external_id(conversation, turn),
    )
    assert case is not None and case.id is not None
    turn.inbound_id = inbound.id
    # The resident's details arrive later in the chat; their record exists from the start,
    # so filling it in never needs to change the case again.
    resident = Resident()
    session.add(resident)
    session.flush()
    case.resident_id = resident.id
    conversation.case_id = case.id
    record_event(session, case, "chat_started", "Case opened from the web chat", RESIDENT)
    return case


def queue_turns(
    session: Session, ctx: AppContext, conversation: ChatConversation, case: Case, context: str
) -> None:
    """Queue every resident turn not yet queued, and file every earlier reply, in order."""
    pending = session.exec(
        select(ChatTurn)
        .where(
            ChatTurn.conversation_id == conversation.id,
            col(ChatTurn.inbound_id).is_(None),
            col(ChatTurn.message_id).is_(None),
        )
        .order_by(col(ChatTurn.seq))
    ).all()
    for turn in pending:
        if turn.direction is Direction.IN:
            inbound, _ = submit(
                session,
                ctx,
                _inbound(conversation, turn, context, case.id),
                external_id=_external_id(conversation, turn),
            )
            turn.inbound_id = inbound.id
        else:
            turn.message_id = _file_reply(session, ctx, conversation, case, turn.text, "", turn)
    session.flush()


def _external_id(conversation: ChatConversation, turn: ChatTurn) -> str:
    return f"chat:{conversation.id}:{turn.seq}"


def _inbound(
    conversation: ChatConversation, turn: ChatTurn, context: str, case_id: int | None = None
) -> InboundMessage:
    state = conversation.state or {}
    return InboundMessage(
        channel=Channel.CHAT.value,
        text=turn.text,
        received_at=turn.at,
        sender_name=str((state.get("details") or {}).get("name", "")),
        case_id=case_id,
        meta={
            "chat": {
                "conversation": conversation.id,
                "turn": turn.seq,
                "answering": conversation.step,
            },
            # The pipeline classifies the resident's account so far, not "yes" on its own.
            "classify_text": context,
        },
    )


def _file_reply(
    session: Session,
    ctx: AppContext,
    conversation: ChatConversation,
    case: Case | None,
    text: str,
    key: str,
    turn: ChatTurn | None = None,
) -> int | None:
    """The chat's reply as an outgoing message of the case (5.12: every message in and out)."""
    if case is None:
        return None
    message = Message(
        case_id=case.id,
        direction=Direction.OUT,
        channel=Channel.CHAT,
        at=turn.at if turn is not None else ctx.clock(),
        sender="web chat",
        sender_name=ctx.settings.landlord_name[:200],
        body_text=text,
        meta={
            "chat": {
                "conversation": conversation.id,
                "turn": turn.seq if turn is not None else conversation.turns + 1,
                "reply": key,
            }
        },
    )
    session.add(message)
    session.flush()
    return message.id


def _apply(session: Session, ctx: AppContext, case: Case, record: Record) -> None:
    data = record.data
    if record.kind == "event":
        record_event(session, case, data["kind"], data["summary"], RESIDENT)
    elif record.kind == "resident":
        resident = session.get(Resident, case.resident_id) if case.resident_id else None
        if resident is None:
            return
        for field in ("name", "address", "tenancy_ref", "email", "phone"):
            if data.get(field):
                setattr(resident, field, str(data[field])[: _LIMITS[field]])
        session.add(resident)
        record_event(
            session,
            case,
            "chat_details",
            "Contact details given in the web chat (not verified): "
            + ", ".join(f.replace("_", " ") for f in data),
            RESIDENT,
        )
    elif record.kind == "representative":
        _representative(session, ctx, case, data)
    elif record.kind == "adjustment":
        _adjustment(session, ctx, case, str(data["description"]))


_LIMITS = {"name": 200, "address": 500, "tenancy_ref": 100, "email": 320, "phone": 50}


def _representative(session: Session, ctx: AppContext, case: Case, data: dict[str, Any]) -> None:
    consent = bool(data.get("consent"))
    representative = Representative(
        name=str(data.get("name") or "Not given")[:200],
        relationship=str(data.get("relationship") or "")[:100],
        consent_obtained=consent,
        consent_evidence=(
            f"{data.get('evidence') or 'Stated'} in the web chat on "
            f"{long_date(ctx.calendar.local_date(ctx.clock()))}"
            if consent
            else ""
        )[:1000],
        consent_recorded_at=ctx.clock() if consent else None,
    )
    session.add(representative)
    session.flush()
    case.representative_id = representative.id
    case.updated_at = ctx.clock()
    record_event(
        session,
        case,
        "representative",
        f"Representative named in the web chat: {representative.name}"
        + (f" ({representative.relationship})" if representative.relationship else "")
        + ("; consent stated" if consent else "; consent not yet given"),
        RESIDENT,
    )


def _adjustment(session: Session, ctx: AppContext, case: Case, description: str) -> None:
    """A reasonable adjustment the resident asked for (5.10); staff agree and review it."""
    if case.resident_id is None or not description:
        return
    resident = session.get(Resident, case.resident_id)
    if resident is not None and not resident.disclosed_needs:
        resident.disclosed_needs = description[:2000]
    adjustment = ReasonableAdjustment(
        resident_id=case.resident_id,
        case_id=case.id,
        description=f"Asked for in the web chat: {description}"[:1000],
        agreed_at=ctx.clock(),
    )
    session.add(adjustment)
    session.flush()
    record_event(
        session,
        case,
        "adjustment_requested",
        f"Reasonable adjustment asked for in the web chat: {description[:200]}. "
        "Agree it with the resident and set a review date (Code 5.10).",
        RESIDENT,
        adjustment_id=adjustment.id,
    )
