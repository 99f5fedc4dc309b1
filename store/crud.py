"""Plain data-access functions with a keyword-only session: no workflow rules here."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from store.models import (
    OPEN_STATUSES,
    ApiToken,
    Case,
    CaseStatus,
    Channel,
    Event,
    Inbound,
    InboundStatus,
    Label,
    Message,
    Resident,
    Role,
    StaffUser,
)
from store.types import utcnow

# --- staff accounts and API tokens -------------------------------------------------------


def hash_token(token: str) -> str:
    """Tokens are stored only as their SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def get_user_by_email(*, session: Session, email: str) -> StaffUser | None:
    """The account for an email address (case-insensitive)."""
    return session.exec(select(StaffUser).where(StaffUser.email == email.strip().lower())).first()


def create_user(
    *, session: Session, email: str, role: Role, password_hash: str, display_name: str = ""
) -> StaffUser:
    """A new staff account; the email address is its unique name."""
    user = StaffUser(
        email=email.strip().lower(),
        role=role,
        password_hash=password_hash,
        display_name=display_name,
    )
    session.add(user)
    session.flush()
    return user


def create_api_token(*, session: Session, user: StaffUser, label: str = "") -> str:
    """Issue a bearer token; the plain value is returned once and never stored."""
    token = "itk_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id or 0, token_hash=hash_token(token), label=label))
    session.flush()
    return token


def user_for_token(*, session: Session, token: str) -> StaffUser | None:
    """The active account behind a bearer token, or None."""
    row = session.exec(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(token), col(ApiToken.revoked_at).is_(None)
        )
    ).first()
    if row is None:
        return None
    user = session.get(StaffUser, row.user_id)
    if user is None or not user.is_active:
        return None
    return user


# --- the intake queue ----------------------------------------------------------------------


def enqueue_inbound(
    *,
    session: Session,
    channel: Channel,
    raw: bytes,
    envelope: dict[str, Any] | None = None,
    external_id: str | None = None,
    received_at: datetime | None = None,
) -> Inbound:
    """Store a received message and queue it; commit before telling the sender it arrived."""
    received_at = received_at or utcnow()
    row = Inbound(
        channel=channel,
        raw=raw,
        raw_sha256=hashlib.sha256(raw).hexdigest(),
        envelope=envelope or {},
        external_id=external_id,
        received_at=received_at,
        available_at=received_at,
    )
    session.add(row)
    session.flush()
    return row


def payload_bytes(payload: dict[str, Any]) -> bytes:
    """The raw form of a non-email message: canonical UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()


def claim_next_inbound(
    *, session: Session, worker: str, lease: timedelta, now: datetime | None = None
) -> Inbound | None:
    """Claim the oldest due message; on PostgreSQL with SKIP LOCKED so workers never collide.

    A claim is a lease: a worker that dies mid-message leaves it claimable again once the
    lease runs out, so nothing is stuck and nothing is lost.
    """
    now = now or utcnow()
    query = (
        select(Inbound)
        .where(
            col(Inbound.status).in_([InboundStatus.QUEUED, InboundStatus.PROCESSING]),
            Inbound.available_at <= now,
        )
        .order_by(col(Inbound.available_at), col(Inbound.id))
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    row = session.exec(query).first()
    if row is None:
        return None
    row.status = InboundStatus.PROCESSING
    row.claimed_by = worker
    row.attempts += 1
    row.available_at = now + lease
    session.add(row)
    session.flush()
    return row


def count_inbound(*, session: Session, status: InboundStatus) -> int:
    """How many queued messages are in a status."""
    return session.exec(
        select(func.count()).select_from(Inbound).where(Inbound.status == status)
    ).one()


# --- cases ---------------------------------------------------------------------------------


def get_case(*, session: Session, case_id: int) -> Case | None:
    """One case by id."""
    return session.get(Case, case_id)


def case_messages(*, session: Session, case_id: int) -> Sequence[Message]:
    """Every message of a case, oldest first."""
    return session.exec(
        select(Message).where(Message.case_id == case_id).order_by(col(Message.at), col(Message.id))
    ).all()


def case_events(*, session: Session, case_id: int) -> Sequence[Event]:
    """The case history, oldest first."""
    return session.exec(
        select(Event).where(Event.case_id == case_id).order_by(col(Event.at), col(Event.id))
    ).all()


def find_or_create_resident(*, session: Session, details: dict[str, Any]) -> Resident | None:
    """Match a resident on email, then tenancy reference; otherwise record a new one."""
    email = str(details.get("email") or "").strip().lower()
    tenancy = str(details.get("tenancy_ref") or "").strip()
    name = str(details.get("name") or "").strip()
    if not (email or tenancy or name or details.get("phone")):
        return None
    resident = None
    if email:
        resident = session.exec(select(Resident).where(Resident.email == email)).first()
    if resident is None and tenancy:
        resident = session.exec(select(Resident).where(Resident.tenancy_ref == tenancy)).first()
    if resident is None:
        resident = Resident(email=email, tenancy_ref=tenancy, name=name)
        session.add(resident)
    for field in ("name", "phone", "address", "contact_preference"):
        value = str(details.get(field) or "").strip()
        if value and not getattr(resident, field):
            setattr(resident, field, value)
    session.flush()
    return resident


@dataclass(frozen=True)
class QueueFilter:
    """What the triage queue shows."""

    label: Label | None = None
    status: CaseStatus | None = None
    channel: Channel | None = None
    overdue: bool | None = None
    assignee_id: int | None = None
    flag: str | None = None  # "hazard", "vulnerability", "stage2", "exclusion"
    search: str = ""
    include_closed: bool = False


def queue_query(*, today: date, filters: QueueFilter) -> Any:
    """The triage queue, most urgent first: overdue, emergencies, hazards, nearest deadline."""
    query = select(Case)
    if filters.status is not None:
        query = query.where(Case.status == filters.status)
    elif not filters.include_closed:
        query = query.where(col(Case.status).in_([s.value for s in OPEN_STATUSES]))
    if filters.label is not None:
        # Before confirmation a case is shown by its proposed label.
        query = query.where(
            or_(
                col(Case.label) == filters.label,
                (col(Case.label).is_(None)) & (Case.proposed_label == filters.label),
            )
        )
    if filters.channel is not None:
        query = query.where(Case.channel == filters.channel)
    if filters.assignee_id is not None:
        query = query.where(Case.assignee_id == filters.assignee_id)
    if filters.overdue is True:
        query = query.where(col(Case.next_deadline) < today)
    elif filters.overdue is False:
        query = query.where(
            or_(col(Case.next_deadline).is_(None), col(Case.next_deadline) >= today)
        )
    if filters.flag == "hazard":
        query = query.where(col(Case.has_hazards).is_(True))
    if filters.flag == "vulnerability":
        query = query.where(col(Case.vulnerability).is_(True))
    if filters.flag == "stage2":
        query = query.where(Case.stage == 2)
    if filters.search.strip():
        term = f"%{filters.search.strip().lower()}%"
        query = query.where(
            or_(func.lower(Case.subject).like(term), func.lower(Case.summary).like(term))
        )
    overdue_first = (col(Case.next_deadline) < today).desc()
    return query.order_by(
        overdue_first,
        col(Case.emergency).desc(),
        col(Case.has_hazards).desc(),
        col(Case.next_deadline).is_(None),
        col(Case.next_deadline),
        col(Case.received_at),
        col(Case.id),
    )
