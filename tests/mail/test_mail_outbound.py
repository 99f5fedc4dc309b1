"""Letters by email: queued with the letter, sent through a loopback relay, failures visible."""

from __future__ import annotations

from sqlmodel import Session, col, select

from intake.mail.quarantine import list_failed_letters, retry_letter
from intake.mail.relay import send_due
from intake.worker import drain
from intake.workflow import Actor, acknowledge, confirm, respond
from store.crud import enqueue_inbound
from store.models import (
    Case,
    CaseStatus,
    Channel,
    Event,
    Label,
    Message,
    OutboundMail,
    OutboundStatus,
    Outcome,
)
from tests.mail.servers import email_bytes, free_port


def receive(engine, ctx, raw: bytes, mail_from: str = "jane@example.org") -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        enqueue_inbound(
            session=session,
            channel=Channel.EMAIL,
            raw=raw,
            envelope={"mail_from": mail_from, "rcpt_tos": ["complaints@landlord.example"]},
            received_at=ctx.clock(),
        )
        session.commit()
    drain(ctx)


def confirm_and_acknowledge(engine, ctx, lead) -> Case:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as session:
        case = session.exec(select(Case).order_by(col(Case.id))).first()
        assert case is not None
        actor = Actor.staff(lead)
        confirm(session, ctx, case, actor, label=Label.COMPLAINT)
        acknowledge(session, ctx, case, actor)
        session.commit()
        return case


def events(engine, case_id: int, kind: str) -> list[Event]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(
            session.exec(select(Event).where(Event.case_id == case_id, Event.kind == kind)).all()
        )


def test_acknowledgement_is_emailed_with_safe_headers_and_threads_replies(
    engine, ctx, relay, make_user
) -> None:
    lead = make_user("lead@landlord.example")
    # The decoded display name carries CR LF: it must not become a header of its own.
    raw = email_bytes().replace(
        b"From: Jane Smith <jane@example.org>",
        b"From: =?utf-8?q?Jane=0D=0ABcc:_evil@example.com?= <jane@example.org>",
    )
    receive(engine, ctx, raw)
    case = confirm_and_acknowledge(engine, ctx, lead)
    assert send_due(ctx) == 1

    [sent] = relay.received
    assert sent.rcpt_tos == ["jane@example.org"]  # nobody else
    email = sent.message
    assert email["Auto-Submitted"] == "auto-replied"
    assert case.reference in email["Subject"]
    assert email["In-Reply-To"] == "<first@example.org>"
    assert email["Bcc"] is None and b"\r\nBcc:" not in sent.raw
    assert "stage 1 response by" in email.get_content()
    with Session(engine) as session:
        letter = session.exec(select(Message).where(Message.letter == "acknowledgement")).one()
        assert letter.message_id_header == email["Message-ID"]
        assert letter.meta["email"]["status"] == "sent"
    assert len(events(engine, case.id, "email_sent")) == 1

    # The resident replies to our letter: it joins the case (In-Reply-To our Message-ID).
    reply = email_bytes(
        message_id="<reply@example.org>",
        subject=f"Re: {email['Subject']}",
        body="Thank you. The boiler is still broken though.",
        extra={"In-Reply-To": email["Message-ID"]},
    )
    receive(engine, ctx, reply)
    with Session(engine) as session:
        assert len(session.exec(select(Case)).all()) == 1
        inbound = session.exec(
            select(Message).where(Message.message_id_header == "<reply@example.org>")
        ).one()
        assert inbound.case_id == case.id


def test_relay_down_is_retried_then_fails_visibly_and_can_be_retried(
    engine, ctx, clock, make_user
) -> None:
    lead = make_user("lead@landlord.example")
    ctx.settings.relay_host = "127.0.0.1"
    ctx.settings.relay_port = free_port()  # nothing listens here
    ctx.settings.outbound_max_attempts = 3
    receive(engine, ctx, email_bytes())
    case = confirm_and_acknowledge(engine, ctx, lead)

    assert send_due(ctx) == 1
    with Session(engine) as session:
        row = session.exec(select(OutboundMail)).one()
        assert row.status is OutboundStatus.PENDING and row.attempts == 1
        assert "could not reach the mail relay" in row.last_error
    assert send_due(ctx) == 0  # backing off: not due yet
    for _ in range(2):
        clock.advance(hours=5)
        assert send_due(ctx) == 1
    with Session(engine) as session:
        assert session.exec(select(OutboundMail)).one().status is OutboundStatus.FAILED
        [failed] = list_failed_letters(session=session)
        assert failed.case_reference == case.reference and failed.attempts == 3
    [event] = events(engine, case.id, "email_failed")
    assert "after 3 attempt(s)" in event.summary and "Send it another way" in event.summary

    with Session(engine) as session:
        retry_letter(session, ctx, failed.id, Actor.staff(lead))
        session.commit()
        assert session.exec(select(OutboundMail)).one().status is OutboundStatus.PENDING


def test_refused_recipient_fails_at_once(engine, ctx, relay, make_user) -> None:
    lead = make_user("lead@landlord.example")
    relay.refuse_with = "550 5.1.1 No such user"
    receive(engine, ctx, email_bytes())
    case = confirm_and_acknowledge(engine, ctx, lead)
    send_due(ctx)
    with Session(engine) as session:
        row = session.exec(select(OutboundMail)).one()
        assert row.status is OutboundStatus.FAILED and row.attempts == 1
        assert "550" in row.last_error
    assert events(engine, case.id, "email_failed")


def test_automatic_mail_never_triggers_a_letter(engine, ctx, relay, make_user) -> None:
    lead = make_user("lead@landlord.example")
    receive(engine, ctx, email_bytes(extra={"Auto-Submitted": "auto-generated"}))
    case = confirm_and_acknowledge(engine, ctx, lead)
    assert send_due(ctx) == 0 and relay.received == []
    with Session(engine) as session:
        assert session.exec(select(OutboundMail)).all() == []
    [event] = events(engine, case.id, "email_not_sent")
    assert "automatic sender" in event.summary


def test_out_of_office_reply_is_filed_but_changes_nothing(engine, ctx, relay, make_user) -> None:
    lead = make_user("lead@landlord.example")
    receive(engine, ctx, email_bytes())
    case = confirm_and_acknowledge(engine, ctx, lead)
    send_due(ctx)
    ours = relay.received[0].message["Message-ID"]
    with Session(engine, expire_on_commit=False) as session:
        case = session.get(Case, case.id)
        respond(
            session, ctx, case, Actor.staff(lead), decision=Outcome.NOT_UPHELD, reasons="Checked."
        )
        session.commit()
    send_due(ctx)
    # An out-of-office reply to our response must not become a stage 2 escalation.
    ooo = email_bytes(
        message_id="<ooo@example.org>",
        subject="Automatic reply: I am unhappy with your response",
        body="I am away and unhappy to miss your mail. I will reply when back.",
        extra={"Auto-Submitted": "auto-replied", "In-Reply-To": ours},
    )
    receive(engine, ctx, ooo)
    assert events(engine, case.id, "automatic_message")
    with Session(engine) as session:
        case = session.get(Case, case.id)
        assert case.stage == 1 and case.status is CaseStatus.RESPONDED
        assert len(session.exec(select(OutboundMail)).all()) == 2  # ack and response only


def test_unhappy_reply_after_response_is_stage_2_but_unrelated_issue_is_new(
    engine, ctx, relay, make_user, clock
) -> None:
    lead = make_user("lead@landlord.example")
    receive(engine, ctx, email_bytes())
    case = confirm_and_acknowledge(engine, ctx, lead)
    with Session(engine, expire_on_commit=False) as session:
        case = session.get(Case, case.id)
        respond(
            session, ctx, case, Actor.staff(lead), decision=Outcome.NOT_UPHELD, reasons="Checked."
        )
        session.commit()
    send_due(ctx)
    response_id = relay.received[-1].message["Message-ID"]
    clock.advance(days=1)
    unrelated = email_bytes(
        message_id="<new-issue@example.org>",
        subject="Re: your letter",
        body="Separately, your caretaker was rude and disgusted me at the community centre.",
        extra={"In-Reply-To": response_id},
    )
    receive(engine, ctx, unrelated)
    escalation = email_bytes(
        message_id="<stage2@example.org>",
        subject="Re: your letter",
        body="I am unhappy with your response and want this looked at again.",
        extra={"In-Reply-To": response_id},
    )
    receive(engine, ctx, escalation)
    with Session(engine) as session:
        cases = session.exec(select(Case).order_by(col(Case.id))).all()
        assert len(cases) == 2
        assert cases[0].stage == 2 and cases[0].status is CaseStatus.AWAITING_ACKNOWLEDGEMENT
        assert cases[1].status is CaseStatus.NEW and cases[1].proposed_label is Label.COMPLAINT
        assert cases[1].received_at == ctx.clock()


def test_bounce_of_our_letter_marks_it_failed_in_the_case(engine, ctx, relay, make_user) -> None:
    lead = make_user("lead@landlord.example")
    receive(engine, ctx, email_bytes())
    case = confirm_and_acknowledge(engine, ctx, lead)
    send_due(ctx)
    ours = relay.received[0].message["Message-ID"]
    dsn = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
        b"To: complaints@landlord.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <dsn1@mx.example.org>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        b"--R\r\nContent-Type: text/plain\r\n\r\n"
        b"Your message could not be delivered: mailbox jane@example.org is full.\r\n"
        b"--R\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; jane@example.org\r\n"
        b"Action: failed\r\nStatus: 5.2.2\r\n\r\n"
        b"--R\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        b"From: complaints@landlord.example\r\nMessage-ID: " + ours.encode() + b"\r\n\r\n--R--\r\n"
    )
    receive(engine, ctx, dsn, mail_from="")
    with Session(engine) as session:
        row = session.exec(select(OutboundMail)).one()
        assert row.status is OutboundStatus.FAILED and "mailbox" in row.last_error
        assert session.get(Case, case.id).status is CaseStatus.INVESTIGATING  # unchanged
        assert len(session.exec(select(Case)).all()) == 1  # the bounce opened no case
    [event] = events(engine, case.id, "email_failed")
    assert "came back undelivered" in event.summary
