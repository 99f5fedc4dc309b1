"""Step `dedupe`: the same message delivered twice makes one case with one more receipt."""

from __future__ import annotations

from sqlmodel import Session, col, select

from intake.context import AppContext
from intake.pipeline.item import Duplicate, NotForTriage, WorkItem
from store.models import Direction, Inbound, Message


def run(item: WorkItem, ctx: AppContext, session: Session) -> None:
    """Same Message-ID and same content: a redelivery. Either alone is not enough."""
    message = item.message
    assert message is not None
    if not message.message_id:
        return
    own = session.exec(
        select(Message.id).where(
            Message.message_id_header == message.message_id[:998],
            Message.direction == Direction.OUT,
        )
    ).first()
    if own is not None:
        # One of our own letters came back (a forwarding loop): keep it, never answer it.
        raise NotForTriage(f"our own letter (message {own}) came back")
    original = session.exec(
        select(Message)
        .where(
            Message.message_id_header == message.message_id[:998],
            Message.content_sha256 == item.content_sha256,
            Message.direction == Direction.IN,
        )
        .order_by(col(Message.id))
    ).first()
    if original is None:
        return
    # Count the receipt on the original delivery; file nothing new.
    if original.inbound_id is not None:
        first = session.get(Inbound, original.inbound_id)
        if first is not None:
            first.receipts += 1
    item.inbound.case_id = original.case_id
    item.inbound.message_id = original.id
    raise Duplicate(f"same Message-ID and content as message {original.id}")
