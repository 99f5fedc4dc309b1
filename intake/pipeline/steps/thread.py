"""Step `thread`: find the case a message continues (reply, reference, chat) or open one."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from intake.context import AppContext
from intake.inbound import InboundMessage
from intake.pipeline.item import WorkItem
from intake.pipeline.steps.parse import file_message
from store.crud import find_or_create_resident
from store.models import Case, Channel, Message, Representative, Resident

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


def run(item: WorkItem, ctx: AppContext, session: Session) -> None:
    """Attach the message to its case, opening a new case when it continues none."""
    case, why = find_case(item, session)
    if case is None:
        assert item.message is not None
        case = open_case(item.message, session)
        item.new_case = True
        item.explain("thread", case=case.reference, new=True)
    else:
        item.explain("thread", case=case.reference, new=False, because=why)
    item.case = case
    file_message(item, session, case.id)
