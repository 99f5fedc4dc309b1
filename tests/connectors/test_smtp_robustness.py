"""Hostile and broken mail: always stored, then triaged or quarantined; nothing stops."""

from __future__ import annotations

import smtplib
import time

from sqlmodel import Session, col, select

from intake.mail.quarantine import list_quarantined
from intake.worker import Worker
from store.models import Inbound, InboundStatus
from tests.mail.servers import email_bytes

RCPT = "complaints@landlord.example"
HEAD = b"From: Jane <jane@example.org>\r\nTo: complaints@landlord.example\r\nSubject: test\r\n"


def deep(levels: int) -> bytes:
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(levels)
    )
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(levels)))
    return HEAD + b"MIME-Version: 1.0\r\n" + opening + b"\r\nI am unhappy.\r\n" + closing


def many_parts(count: int) -> bytes:
    parts = b"".join(
        b"--P\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i for i in range(count)
    )
    return (
        HEAD
        + b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="P"\r\n\r\n'
        + parts
        + b"--P--\r\n"
    )


NASTY = {
    "broken boundary": HEAD
    + b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n--never-closed\r\n'
    b"Content-Type: text/plain\r\n\r\nThe leak is back and I am unhappy.\r\n",
    "no boundary": HEAD + b"Content-Type: multipart/alternative\r\n\r\nno parts here\r\n",
    "bad base64": HEAD + b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64***\r\n",
    "undeclared 8-bit": HEAD + b"\r\nCaf\xe9 \x93quoted\x94 and \xa3100\r\n",
    "wrong charset": HEAD + b"Content-Type: text/plain; charset=us-ascii\r\n\r\nCaf\xc3\xa9\r\n",
    "unknown charset": HEAD + b"Content-Type: text/plain; charset=x-klingon\r\n\r\nhello\r\n",
    "no headers": b"just some words with no headers at all\r\n",
    "deep nesting": deep(1000),
    "20,000 parts": many_parts(20_000),
}


def send(port: int, raw: bytes) -> int:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.ehlo()
        client.mail("jane@example.org")
        client.rcpt(RCPT)
        code, _ = client.data(raw)
        return code


def statuses(engine) -> dict[int, InboundStatus]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        rows = session.exec(select(Inbound).order_by(col(Inbound.id))).all()
        return {r.id or 0: r.status for r in rows}


def test_broken_mail_is_stored_then_triaged_or_quarantined_while_smtp_answers(
    smtp, ctx, engine, clock
) -> None:
    assert send(smtp.port, NASTY["20,000 parts"]) == 250
    worker = Worker(ctx, index=0, idle_seconds=0.05)
    worker.start()
    try:
        # While the worker is busy reading the 20,000 parts, the listener still answers.
        deadline = time.monotonic() + 60
        while statuses(engine)[1] is InboundStatus.QUEUED and time.monotonic() < deadline:
            time.sleep(0.01)
        assert send(smtp.port, email_bytes(message_id="<during@example.org>")) == 250
        assert statuses(engine)[1] is InboundStatus.PROCESSING  # still at it

        for name, raw in NASTY.items():
            if name != "20,000 parts":
                assert send(smtp.port, raw) == 250, name
        assert send(smtp.port, email_bytes(message_id="<after@example.org>")) == 250

        finished = {InboundStatus.DONE, InboundStatus.QUARANTINED, InboundStatus.IGNORED}
        deadline = time.monotonic() + 180
        while set(statuses(engine).values()) - finished and time.monotonic() < deadline:
            clock.advance(minutes=1)  # let retries of failing messages come due
            time.sleep(0.1)
        assert worker.is_alive()
    finally:
        worker.stop()

    final = statuses(engine)
    assert len(final) == len(NASTY) + 2
    with Session(engine) as session:
        quarantined = list_quarantined(session=session)
    # Only the absurdly nested message is quarantined, with a reason staff can read.
    assert [q.subject for q in quarantined] == ["test"]
    assert "nested too deeply" in quarantined[0].reason
    assert "Traceback" not in quarantined[0].reason and "Error" not in quarantined[0].reason
    assert sum(s is InboundStatus.DONE for s in final.values()) == len(NASTY) + 1
