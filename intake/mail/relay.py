"""Deliver queued letters to the SMTP relay; every outcome lands in the case history."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, select

from intake.context import AppContext
from intake.settings import Settings
from intake.workflow.base import Actor, record_event
from store.db import session_scope
from store.models import Case, Message, OutboundMail, OutboundStatus

# A claim is a lease: a sender that dies mid-send leaves the letter claimable again.
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=4)


@dataclass(frozen=True)
class _Claimed:
    id: int
    to_address: str
    raw: bytes
    attempts: int


class PermanentFailure(Exception):
    """The relay refused the letter for good (e.g. an unknown mailbox): retrying won't help."""


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes between tries, at most four hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _claim(ctx: AppContext) -> _Claimed | None:
    now = ctx.clock()
    with session_scope(ctx.engine) as session:
        query = (
            select(OutboundMail)
            .where(
                OutboundMail.status == OutboundStatus.PENDING,
                OutboundMail.next_attempt_at <= now,
            )
            .order_by(col(OutboundMail.next_attempt_at), col(OutboundMail.id))
            .limit(1)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        row = session.exec(query).first()
        if row is None:
            return None
        row.attempts += 1
        row.next_attempt_at = now + LEASE
        return _Claimed(row.id or 0, row.to_address, row.raw, row.attempts)


def deliver(settings: Settings, to_address: str, raw: bytes) -> None:
    """One SMTP transaction with the relay; raises on failure (PermanentFailure for 5xx)."""
    timeout = settings.relay_timeout_seconds
    with smtplib.SMTP(settings.relay_host, settings.relay_port, timeout=timeout) as client:
        client.ehlo_or_helo_if_needed()
        if settings.relay_starttls:
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if settings.relay_username:
            client.login(settings.relay_username, settings.relay_password.get_secret_value())
        try:
            client.sendmail(settings.mail_from, [to_address], raw)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            error = f"the relay refused {to_address}: " + "; ".join(
                f"{code} {text.decode(errors='replace')}" for code, text in exc.recipients.values()
            )
            if all(code >= 500 for code in codes):
                raise PermanentFailure(error) from None
            raise RuntimeError(error) from None
        except smtplib.SMTPDataError as exc:
            error = f"the relay refused the letter: {exc.smtp_code} {exc.smtp_error!r}"
            if exc.smtp_code >= 500:
                raise PermanentFailure(error) from None
            raise RuntimeError(error) from None


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "the relay did not accept our username and password"  # never echo secrets
    if isinstance(error, (OSError, smtplib.SMTPServerDisconnected)):
        return f"could not reach the mail relay ({type(error).__name__}: {error})"
    return str(error) or type(error).__name__


def _record(ctx: AppContext, claimed: _Claimed, error: Exception | None) -> None:
    now = ctx.clock()
    system = Actor.system("Intake")
    with session_scope(ctx.engine) as session:
        row = session.get(OutboundMail, claimed.id)
        if row is None:
            return
        case = session.get(Case, row.case_id)
        letter = session.get(Message, row.message_id)
        assert case is not None and letter is not None
        if error is None:
            row.status, row.sent_at, row.last_error = OutboundStatus.SENT, now, ""
            status, summary = "sent", f"Emailed to {row.to_address}: {letter.subject}"
        else:
            row.last_error = _describe(error)[:4000]
            final = (
                isinstance(error, PermanentFailure)
                or row.attempts >= ctx.settings.outbound_max_attempts
            )
            if not final:
                row.next_attempt_at = now + backoff(row.attempts)
                state = {"status": "retrying", "to": row.to_address, "error": row.last_error}
                letter.meta = {**(letter.meta or {}), "email": state}
                return
            row.status = OutboundStatus.FAILED
            status = "failed"
            summary = (
                f"Could not email the letter to {row.to_address} after {row.attempts} "
                f"attempt(s): {row.last_error}. Send it another way, or retry it."
            )
        letter.meta = {**(letter.meta or {}), "email": {
            "status": status, "to": row.to_address, "at": now.isoformat(),
            "error": row.last_error}}  # fmt: skip
        record_event(
            session, case, "email_sent" if error is None else "email_failed", summary, system,
            message_id=letter.id, outbound_id=row.id,
        )  # fmt: skip


def send_due(ctx: AppContext, limit: int | None = None) -> int:
    """Send letters whose time has come; returns how many attempts were made."""
    if not ctx.settings.relay_host:
        return 0  # letters wait in the queue until a relay is configured
    attempts = 0
    while limit is None or attempts < limit:
        claimed = _claim(ctx)
        if claimed is None:
            break
        attempts += 1
        try:
            deliver(ctx.settings, claimed.to_address, claimed.raw)
        except Exception as exc:
            _record(ctx, claimed, exc)
        else:
            _record(ctx, claimed, None)
    return attempts
