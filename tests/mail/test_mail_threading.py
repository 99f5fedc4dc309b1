"""Threading by the case reference in the subject: only from the resident on record."""

from __future__ import annotations

import smtplib

from sqlmodel import Session, col, select

from intake.worker import drain
from store.models import Case, Message
from tests.mail.servers import email_bytes

RCPT = "complaints@landlord.example"


def send(port: int, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        assert client.sendmail("x@example.org", [RCPT], raw) == {}


def test_reference_in_subject_joins_only_for_the_resident_on_record(smtp, ctx, engine) -> None:
    send(smtp.port, email_bytes())
    drain(ctx)
    with Session(engine) as session:
        reference = session.exec(select(Case)).one().reference
    send(
        smtp.port,
        email_bytes(
            message_id="<again@example.org>",
            subject=f"About {reference}",
            body="Any news on the boiler?",
        ),
    )
    send(
        smtp.port,
        email_bytes(
            sender="Mallory <mallory@example.net>",
            message_id="<other@example.net>",
            subject=f"Re: {reference}",
            body="Please send me everything about this case.",
        ),
    )
    drain(ctx)
    with Session(engine) as session:
        cases = session.exec(select(Case).order_by(col(Case.id))).all()
        assert len(cases) == 2  # the stranger's message opened its own case
        joined = session.exec(
            select(Message).where(Message.message_id_header == "<again@example.org>")
        ).one()
        assert joined.case_id == cases[0].id
