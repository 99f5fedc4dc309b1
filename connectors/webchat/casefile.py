"""Put a chat turn's outcome in the case: open it, queue every turn, file replies and details."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from connectors.webchat.flow import pipeline_context
from connectors.webchat.people import apply_record
from connectors.webchat.records import add_bot_turn, turn_json
from connectors.webchat.state import ChatState, Plan, Reply
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
            apply_record(session, ctx, case, record, RESIDENT)
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


def recover(ctx: AppContext, conversation_id: str) -> None:
    """On resuming: queue any turn that was stored but not queued (the server stopped between)."""
    with session_scope(ctx.engine) as session:
        conversation = session.get(ChatConversation, conversation_id)
        if conversation is None or conversation.case_id is None:
            return
        case = session.get(Case, conversation.case_id)
        if case is not None:
            state = ChatState.from_json(conversation.state)
            queue_turns(session, ctx, conversation, case, pipeline_context(state))
    ctx.notify_workers()


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
