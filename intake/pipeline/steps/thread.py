"""Step `thread`: find the case a message continues (reply, reference, chat) or open one."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from intake.context import AppContext
from intake.inbound import InboundMessage
from intake.mail.loops import is_auto_reply
from intake.pipeline.item import NotForTriage, WorkItem
from intake.pipeline.related import relatedness
from intake.pipeline.steps.parse import file_message
from intake.workflow.base import Actor, record_event
from store.crud import find_or_create_resident
from store.models import (
    Case,
    CaseStatus,
    Channel,
    Direction,
    Label,
    Message,
    OutboundMail,
    OutboundStatus,
    Representative,
    Resident,
)

REFERENCE = re.compile(r"\bINT-(\d{6})\b")


def _by_headers(session: Session, ids: list[str]) -> Case | None:
    ids = [i for i in ids if i][:50]
    if not ids:
        return None
    earlier = session.exec(
        select(Message)
        .where(col(Message.message_id_header).in_(ids), col(Message.case_id).is_not(None))
        .order_by(col(Message.id).desc())
    ).first()
    return session.get(Case, earlier.case_id) if earlier and earlier.case_id else None


def _by_reference(session: Session, subject: str, sender: str) -> Case | None:
    match = REFERENCE.search(subject)
    if not match:
        return None
    case = session.get(Case, int(match.group(1)))
    if case is None:
        return None
    # Quoting a reference is not proof of identity: only the resident on record may join it.
    resident = session.get(Resident, case.resident_id) if case.resident_id else None
    if resident is None or not resident.email or resident.email != sender.strip().lower():
        return None
    return case


def find_case(item: WorkItem, session: Session) -> tuple[Case | None, str]:
    """The existing case this message continues, and how we know."""
    message = item.message
    assert message is not None
    if message.case_id is not None:
        case = session.get(Case, message.case_id)
        if case is not None:
            return case, "given by the channel"
    case = _by_headers(session, [message.in_reply_to or "", *message.references])
    if case is not None:
        return case, "a reply to an earlier message"
    case = _by_reference(session, message.subject, message.sender)
    if case is not None:
        return case, f"quotes reference {case.reference}"
    return None, ""


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:500]
    return ""


def open_case(message: InboundMessage, session: Session) -> Case:
    """A new case for a message that continues nothing."""
    assert message.received_at is not None
    details = dict(message.resident)
    if message.channel == Channel.EMAIL.value:
        details.setdefault("email", message.sender)
        details.setdefault("name", message.sender_name)
    resident = find_or_create_resident(session=session, details=details)
    representative = None
    if message.representative.get("name"):
        rep = message.representative
        representative = Representative(
            name=str(rep["name"])[:200],
            relationship=str(rep.get("relationship", ""))[:100],
            organisation=str(rep.get("organisation", ""))[:200],
            email=str(rep.get("email", ""))[:320],
            phone=str(rep.get("phone", ""))[:50],
            consent_obtained=bool(rep.get("consent_obtained", False)),
            consent_evidence=str(rep.get("consent_evidence", ""))[:1000],
        )
        session.add(representative)
        session.flush()
    case = Case(
        channel=Channel(message.channel),
        received_at=message.received_at,
        subject=message.subject[:500],
        summary=_first_line(message.text) or _first_line(message.subject),
        resident_id=resident.id if resident else None,
        representative_id=representative.id if representative else None,
    )
    session.add(case)
    session.flush()
    return case


def _bounced_letter(session: Session, message: InboundMessage) -> Message | None:
    """The letter of ours that a delivery report says could not be delivered, if any."""
    reported = [str(i) for i in message.meta.get("reported_message_ids", [])][:20]
    if not reported:
        return None
    return session.exec(
        select(Message).where(
            col(Message.message_id_header).in_(reported), Message.direction == Direction.OUT
        )
    ).first()


def _mark_bounced(session: Session, letter: Message, message: InboundMessage) -> Case | None:
    """The relay took the letter but the resident's server returned it: say so, visibly."""
    outbound = session.exec(
        select(OutboundMail).where(OutboundMail.message_id == letter.id)
    ).first()
    case = session.get(Case, letter.case_id) if letter.case_id else None
    if outbound is None or case is None:
        return case
    reason = (message.text.strip().splitlines() or ["no reason given"])[0][:300]
    outbound.status = OutboundStatus.FAILED
    outbound.last_error = f"returned by the resident's mail server: {reason}"
    letter.meta = {**(letter.meta or {}), "email": {
        "status": "failed", "to": outbound.to_address, "error": outbound.last_error}}  # fmt: skip
    record_event(
        session,
        case,
        "email_failed",
        f"The letter emailed to {outbound.to_address} came back undelivered ({reason}). "
        "Check the address, or send it another way.",
        Actor.system("Intake"),
        message_id=letter.id,
        outbound_id=outbound.id,
    )
    return case


def _file_automatic(item: WorkItem, session: Session, case: Case | None) -> None:
    """Loop protection: automatic mail is kept, but never moves a case or gets an answer."""
    message = item.message
    assert message is not None
    bounced = _bounced_letter(session, message)
    if bounced is not None:
        case = _mark_bounced(session, bounced, message) or case
    item.case = case
    stored = file_message(item, session, case.id if case else None)
    if case is not None:
        record_event(
            session,
            case,
            "automatic_message",
            f"An automatic message arrived ({message.automated}); it is filed and not answered",
            Actor.system("Intake"),
            message_id=stored.id,
        )
    item.explain("thread", case=case.reference if case else None, automated=message.automated)
    raise NotForTriage(f"automatic message: {message.automated}")


def _case_texts(session: Session, case: Case) -> list[str]:
    texts = [case.subject, case.summary]
    definition = case.definition or {}
    texts += [str(x) for x in definition.get("issues", []) + definition.get("outcomes", [])]
    earlier = session.exec(
        select(Message.body_text)
        .where(Message.case_id == case.id, Message.direction == Direction.IN)
        .order_by(col(Message.id))
        .limit(20)
    ).all()
    return texts + [t[:5000] for t in earlier]


def run(item: WorkItem, ctx: AppContext, session: Session) -> None:
    """Attach the message to its case, opening a new case when it continues none."""
    message = item.message
    assert message is not None
    case, why = find_case(item, session)
    if message.automated and (case is not None or is_auto_reply(message.automated)):
        _file_automatic(item, session, case)
    if case is None:
        case = open_case(message, session)
        item.new_case = True
        item.explain("thread", case=case.reference, new=True)
    else:
        facts: dict[str, object] = {"because": why}
        if case.label is Label.COMPLAINT and case.status is not CaseStatus.NEW:
            item.related, reason = relatedness(
                f"{message.subject}\n{message.text}", _case_texts(session, case)
            )
            facts.update(related=item.related, relatedness=reason)
        item.explain("thread", case=case.reference, new=False, **facts)
    item.case = case
    file_message(item, session, case.id)
