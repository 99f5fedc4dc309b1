"""Duplicates over SMTP: a redelivery is one more receipt; different messages stay apart."""

from __future__ import annotations

import smtplib

from sqlmodel import Session, col, select

from intake.worker import drain
from store.models import Case, Inbound, InboundStatus
from tests.mail.servers import email_bytes

RCPT = "complaints@landlord.example"


def send_all(port: int, messages: list[bytes]) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        for raw in messages:
            assert client.sendmail("jane@example.org", [RCPT], raw) == {}


def test_same_message_delivered_again_is_one_case_with_one_more_receipt(smtp, ctx, engine) -> None:
    raw = email_bytes(message_id="<same@example.org>")
    send_all(smtp.port, [raw, raw])
    drain(ctx)
    with Session(engine) as session:
        assert len(session.exec(select(Case)).all()) == 1
        first, second = session.exec(select(Inbound).order_by(col(Inbound.id))).all()
        assert first.receipts == 2 and first.status is InboundStatus.DONE
        assert second.status is InboundStatus.DUPLICATE and second.case_id == first.case_id


def test_different_messages_sharing_or_lacking_a_message_id_stay_apart(smtp, ctx, engine) -> None:
    send_all(
        smtp.port,
        [
            email_bytes(
                message_id="<shared@example.org>", body="The boiler is broken, please fix it."
            ),
            email_bytes(
                message_id="<shared@example.org>", body="Now the window is broken too, please fix."
            ),
            email_bytes(message_id=None, body="The gutter is broken, please repair it."),
            email_bytes(message_id=None, body="The fence is broken, please repair it."),
        ],
    )
    drain(ctx)
    with Session(engine) as session:
        assert len(session.exec(select(Case)).all()) == 4
        assert all(r.receipts == 1 for r in session.exec(select(Inbound)).all())
