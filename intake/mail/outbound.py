"""Outgoing letters: queued in the same transaction that files them, then sent by a service."""

from __future__ import annotations

import logging
import threading

from sqlmodel import Session, col, select

from intake.context import AppContext
from intake.mail.compose import compose_letter
from intake.mail.headers import clean_address
from intake.mail.relay import send_due
from intake.workflow.base import Actor, record_event
from store.models import Case, Direction, Message, OutboundMail, Resident

log = logging.getLogger(__name__)


def automated_origin(session: Session, case: Case) -> str:
    """Why the message that opened the case was automatic, or "" when a person wrote it."""
    first = session.exec(
        select(Message)
        .where(Message.case_id == case.id, Message.direction == Direction.IN)
        .order_by(col(Message.at), col(Message.id))
    ).first()
    return str((first.meta or {}).get("automated", "")) if first is not None else ""


def _thread_parent(session: Session, case: Case) -> tuple[str | None, list[str]]:
    """The resident's latest Message-ID (so their mail program threads our letter under it)."""
    rows = session.exec(
        select(Message)
        .where(Message.case_id == case.id, col(Message.message_id_header).is_not(None))
        .order_by(col(Message.at).desc(), col(Message.id).desc())
        .limit(20)
    ).all()
    ids = [r.message_id_header for r in reversed(rows) if r.message_id_header]
    parent = next((r.message_id_header for r in rows if r.direction is Direction.IN), None)
    return parent, ids


def queue_letter(
    session: Session, ctx: AppContext, case: Case, letter: Message
) -> OutboundMail | None:
    """Queue a filed letter for email to the resident, unless it must not or cannot go.

    Called by the workflow when it files a letter, in the same transaction, so a letter is
    either filed and queued or neither.
    """
    resident = session.get(Resident, case.resident_id) if case.resident_id else None
    address = clean_address(resident.email) if resident and resident.email else ""
    system = Actor.system("Intake")
    if not address:
        record_event(
            session, case, "email_not_sent",
            "Letter not emailed: there is no email address for the resident. Send it by "
            "post or the resident's preferred way.", system, message_id=letter.id,
        )  # fmt: skip
        return None
    automated = automated_origin(session, case)
    own = clean_address(ctx.settings.mail_from)
    if automated or address == own:
        why = automated or "the address is our own"
        record_event(
            session, case, "email_not_sent",
            f"Letter not emailed: this case came from an automatic sender ({why}); replying "
            "could start a mail loop. Contact the resident another way if needed.",
            system, message_id=letter.id,
        )  # fmt: skip
        return None
    parent, references = _thread_parent(session, case)
    message_id, raw = compose_letter(
        from_name=ctx.settings.landlord_name,
        from_address=ctx.settings.mail_from,
        to_name=resident.name if resident else "",
        to_address=address,
        subject=letter.subject,
        body=letter.body_text,
        when=ctx.clock(),
        in_reply_to=parent,
        references=references,
    )
    letter.message_id_header = message_id
    letter.in_reply_to = parent
    letter.meta = {**(letter.meta or {}), "email": {"status": "queued", "to": address}}
    outbound = OutboundMail(
        case_id=case.id or 0,
        message_id=letter.id or 0,
        to_address=address,
        raw=raw,
        next_attempt_at=ctx.clock(),
        created_at=ctx.clock(),
    )
    session.add(outbound)
    session.flush()
    return outbound


class OutboundService:
    """Sends queued letters through the configured relay, retrying with back-off."""

    def __init__(self, ctx: AppContext, poll_seconds: float = 2.0):
        self.ctx = ctx
        self.poll_seconds = poll_seconds
        self._stopping = threading.Event()
        self._wakeup = threading.Event()
        self._thread: threading.Thread | None = None
        if ctx.settings.relay_host:
            self._thread = threading.Thread(target=self._run, name="mail-outbound", daemon=True)
            self._thread.start()

    def describe(self) -> str:
        settings = self.ctx.settings
        if not settings.relay_host:
            return (
                "outgoing mail: no relay set (INTAKE_RELAY_HOST), so letters are filed in the "
                "case and wait in the outgoing queue"
            )
        return f"outgoing mail: via {settings.relay_host}:{settings.relay_port}"

    def wake(self) -> None:
        """Send now rather than at the next poll."""
        self._wakeup.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                sent = send_due(self.ctx, limit=20)
            except Exception:
                # A database outage must not end the service: try again after a pause.
                log.exception("the outgoing mail queue could not be read")
                sent = 0
            if sent == 0:
                self._wakeup.wait(self.poll_seconds)
                self._wakeup.clear()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout)


def start(ctx: AppContext) -> OutboundService:
    """Start sending letters (called by `intake serve`)."""
    return OutboundService(ctx)
