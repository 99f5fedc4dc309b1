"""Chat conversations in the store: start, resume (id and token), accept a turn, the transcript."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from connectors.webchat.state import ChatState
from intake.context import AppContext
from store.db import session_scope
from store.models import ChatConversation, ChatTurn, Direction


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_conversation(ctx: AppContext, origin: str, greeting: str) -> tuple[str, str]:
    """A new conversation with its greeting; returns (id, resume token). Only the hash is kept."""
    conversation_id = secrets.token_urlsafe(18)
    token = secrets.token_urlsafe(32)
    with session_scope(ctx.engine) as session:
        conversation = ChatConversation(
            id=conversation_id,
            token_hash=_hash(token),
            origin=origin[:300],
            state=ChatState().to_json(),
            created_at=ctx.clock(),
            updated_at=ctx.clock(),
        )
        session.add(conversation)
        session.flush()
        add_bot_turn(session, ctx, conversation, greeting, [])
    return conversation_id, token


def find_conversation(ctx: AppContext, conversation_id: str, token: str) -> bool:
    """True only when both the id and its resume token match (compared in constant time)."""
    if not conversation_id or not token or len(conversation_id) > 64 or len(token) > 128:
        return False
    with Session(ctx.engine) as session:
        conversation = session.get(ChatConversation, conversation_id)
        expected = conversation.token_hash if conversation else _hash(secrets.token_hex(8))
    # Compare even when there is no such conversation, so timing tells nothing.
    return hmac.compare_digest(expected, _hash(token)) and conversation is not None


def add_bot_turn(
    session: Session,
    ctx: AppContext,
    conversation: ChatConversation,
    text: str,
    choices: list[dict[str, str]],
    message_id: int | None = None,
) -> ChatTurn:
    """One line from the chat, in order."""
    conversation.turns += 1
    turn = ChatTurn(
        conversation_id=conversation.id,
        seq=conversation.turns,
        direction=Direction.OUT,
        text=text,
        choices=choices,
        at=ctx.clock(),
        message_id=message_id,
    )
    session.add(turn)
    session.flush()
    return turn


@dataclass
class Accepted:
    """A resident turn stored durably: its place in the chat, and whether it was a resend."""

    seq: int
    duplicate: bool


def accept_turn(ctx: AppContext, conversation_id: str, client_id: str, text: str) -> Accepted:
    """Store the resident's turn before anything else happens to it ("accept first")."""
    with session_scope(ctx.engine) as session:
        earlier = session.exec(
            select(ChatTurn).where(
                ChatTurn.conversation_id == conversation_id, ChatTurn.client_id == client_id
            )
        ).first()
        if earlier is not None:
            return Accepted(seq=earlier.seq, duplicate=True)
        conversation = session.get(ChatConversation, conversation_id)
        assert conversation is not None
        conversation.turns += 1
        conversation.updated_at = ctx.clock()
        turn = ChatTurn(
            conversation_id=conversation_id,
            seq=conversation.turns,
            direction=Direction.IN,
            text=text,
            client_id=client_id,
            at=ctx.clock(),
        )
        session.add(turn)
        session.flush()
        return Accepted(seq=turn.seq, duplicate=False)


def load_state(ctx: AppContext, conversation_id: str) -> tuple[ChatState, int | None]:
    """The conversation's state and its case id."""
    with Session(ctx.engine) as session:
        conversation = session.get(ChatConversation, conversation_id)
        assert conversation is not None
        return ChatState.from_json(conversation.state), conversation.case_id


def transcript(ctx: AppContext, conversation_id: str) -> list[dict[str, Any]]:
    """Every line of one conversation, in order, as the widget shows it."""
    with Session(ctx.engine) as session:
        turns = session.exec(
            select(ChatTurn)
            .where(ChatTurn.conversation_id == conversation_id)
            .order_by(col(ChatTurn.seq))
        ).all()
    lines = [turn_json(turn) for turn in turns]
    # Only the last line's quick replies still make sense.
    for line in lines[:-1]:
        line["choices"] = []
    return lines


def turn_json(turn: ChatTurn) -> dict[str, Any]:
    """One line for the widget."""
    return {
        "seq": turn.seq,
        "from": "resident" if turn.direction is Direction.IN else "bot",
        "text": turn.text,
        "choices": list(turn.choices),
        "id": turn.client_id,
        "at": turn.at.isoformat(),
    }
