"""The quarantine staff see: messages that kept failing, with a reason, and "try again"."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from intake.mail.quarantine import count_quarantined, list_quarantined, readable, retry_message
from intake.worker import drain
from intake.workflow import Actor, PermissionDenied
from store.crud import enqueue_inbound
from store.models import Channel, Inbound, InboundStatus, Role
from tests.mail.servers import email_bytes


def test_quarantined_message_is_listed_readably_and_can_be_retried(
    engine, ctx, clock, make_user
) -> None:
    with Session(engine) as session:
        row = enqueue_inbound(
            session=session,
            channel=Channel.EMAIL,
            raw=email_bytes(subject="Please explode", body="This will explode the classifier."),
            received_at=ctx.clock(),
        )
        session.commit()
        inbound_id = row.id
    for _ in range(6):
        drain(ctx)
        clock.advance(minutes=5)
    with Session(engine) as session:
        assert count_quarantined(session=session) == 1
        [item] = list_quarantined(session=session)
    assert item.subject == "Please explode" and item.sender == "Jane Smith <jane@example.org>"
    assert item.failed_step == "classify" and item.attempts == 5
    assert item.reason == "the fake classifier was asked to fail"

    frontline = make_user("front@landlord.example", Role.FRONTLINE)
    with Session(engine) as session, pytest.raises(PermissionDenied):
        retry_message(session, ctx, inbound_id, Actor.staff(frontline))
    lead = make_user("lead@landlord.example")
    with Session(engine) as session:
        retry_message(session, ctx, inbound_id, Actor.staff(lead))
        session.commit()
        assert session.get(Inbound, inbound_id).status is InboundStatus.QUEUED


def test_readable_strips_exception_class_names() -> None:
    assert readable("intake.mail.parse.UnreadableEmail: The email is odd.") == "The email is odd."
    assert readable("RuntimeError: boom") == "boom"
    assert readable("") == "Processing stopped without an error message."
