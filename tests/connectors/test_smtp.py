"""The SMTP listener over loopback with smtplib: store before 250, refuse cleanly, never 500."""

from __future__ import annotations

import smtplib
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from connectors.smtp import SmtpService
from intake.worker import drain
from store.models import Case, Inbound, InboundStatus, Message
from tests.mail.servers import email_bytes

RCPT = "complaints@landlord.example"


def stored(engine) -> list[Inbound]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(Inbound).order_by(col(Inbound.id))).all())


def client(service: SmtpService) -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", service.port, timeout=30)


def test_message_is_stored_byte_for_byte_with_its_envelope_before_250(smtp, engine) -> None:
    raw = email_bytes(body="Caf\u00e9 line one.\n.leading dot line\n")
    with client(smtp) as c:
        code, reply = c.ehlo()
        assert code == 250
        c.mail("jane@example.org")
        c.rcpt(RCPT)
        code, reply = c.data(raw)
    assert code == 250 and b"queued as" in reply
    [row] = stored(engine)
    assert row.raw == raw  # dot-stuffing undone, nothing added
    assert row.status is InboundStatus.QUEUED
    assert row.envelope["mail_from"] == "jane@example.org"
    assert row.envelope["rcpt_tos"] == [RCPT]


def test_unknown_recipient_is_refused_at_rcpt_and_nothing_stored(smtp, engine) -> None:
    with client(smtp) as c, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        c.sendmail("jane@example.org", ["someone.else@landlord.example"], email_bytes())
    assert refused.value.recipients["someone.else@landlord.example"][0] == 550
    assert stored(engine) == []


def test_oversized_message_gets_552_and_nothing_is_stored(smtp, ctx, engine) -> None:
    ctx.settings.smtp_max_message_bytes = 10_000
    smtp.stop()
    service = SmtpService(ctx)
    try:
        with client(service) as c:
            c.ehlo()
            c.mail("jane@example.org")  # no SIZE declared: the limit bites during DATA
            c.rcpt(RCPT)
            code, _ = c.data(email_bytes(body="x" * 20_000))
            assert code == 552
            # The session carries on normally afterwards.
            assert c.sendmail("jane@example.org", [RCPT], email_bytes()) == {}
    finally:
        service.stop()
    assert len(stored(engine)) == 1


def _raw_session(port: int, script: bytes) -> bytes:
    """Send a hand-written SMTP session; read every reply until the server says goodbye."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(script)
        chunks = b""
        while b"\r\n221 " not in chunks:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks += chunk
    return chunks


@pytest.mark.parametrize("smuggle", [b"\n.\r\n", b"\r.\r\n", b"\n.\n"])
def test_smtp_smuggling_sequences_do_not_create_extra_messages(smtp, engine, smuggle) -> None:
    body = (
        b"From: jane@example.org\r\nSubject: hello\r\n\r\nfirst part"
        + smuggle
        + b"MAIL FROM:<ceo@landlord.example>\r\nRCPT TO:<"
        + RCPT.encode()
        + b">\r\nDATA\r\n"
        b"From: ceo@landlord.example\r\nSubject: smuggled\r\n\r\nfake\r\n"
    )
    script = (
        b"EHLO test\r\nMAIL FROM:<jane@example.org>\r\nRCPT TO:<" + RCPT.encode() + b">\r\n"
        b"DATA\r\n" + body + b".\r\nQUIT\r\n"
    )
    replies = _raw_session(smtp.port, script)
    assert replies.count(b"\r\n250 2.0.0 OK: queued") == 1
    [row] = stored(engine)
    assert b"smuggled" in row.raw  # kept inside the one message, not a second message


def test_bare_lf_in_a_header_does_not_create_an_extra_header(smtp, ctx, engine) -> None:
    raw = (
        b"From: Jane <jane@example.org>\r\nMessage-ID: <lf@example.org>\r\n"
        b"Subject: boiler\nFrom: ceo@landlord.example\r\n\r\n"
        b"I reported my boiler twice and nobody came. I am unhappy.\r\n"
    )
    with client(smtp) as c:
        assert c.sendmail("jane@example.org", [RCPT], raw) == {}
    assert drain(ctx) == 1
    with Session(engine) as session:
        message = session.exec(select(Message)).one()
        assert message.sender == "jane@example.org"
        assert message.subject == "boiler From: ceo@landlord.example"


def test_store_failure_gives_451_never_250_or_5xx_and_resends_store_once(smtp, engine) -> None:
    failing = threading.Event()
    failing.set()

    @event.listens_for(engine, "before_cursor_execute")
    def _break(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if failing.is_set() and statement.lstrip().upper().startswith("INSERT INTO INBOUND"):
            raise OperationalError(statement, parameters, Exception("disk I/O error"))

    messages = [
        email_bytes(message_id=f"<m{i}@example.org>", body=f"message {i}") for i in range(40)
    ]

    def send(raw: bytes) -> int:
        with client(smtp) as c:
            c.ehlo()
            c.mail("jane@example.org")
            c.rcpt(RCPT)
            code, _ = c.data(raw)
            return code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(send, messages))
    assert set(codes) == {451}
    assert stored(engine) == []

    failing.clear()  # the store recovers; senders retry
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(send, messages))
    assert set(codes) == {250}
    rows = stored(engine)
    assert sorted(r.raw for r in rows) == sorted(messages)  # each exactly once
    event.remove(engine, "before_cursor_execute", _break)


def test_email_becomes_a_case_and_replies_join_it(smtp, ctx, engine) -> None:
    with client(smtp) as c:
        c.sendmail("jane@example.org", [RCPT], email_bytes())
        reply = email_bytes(
            message_id="<second@example.org>",
            subject="Re: My boiler",
            body="Also the boiler pressure keeps dropping.",
            extra={"In-Reply-To": "<first@example.org>", "References": "<first@example.org>"},
        )
        c.sendmail("jane@example.org", [RCPT], reply)
    assert drain(ctx) == 2
    with Session(engine) as session:
        [case] = session.exec(select(Case)).all()
        assert len(session.exec(select(Message).where(Message.case_id == case.id)).all()) == 2
