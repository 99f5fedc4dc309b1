"""What the resident tells the chat about themselves, put into the case record (1.3, 5.10)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from connectors.webchat.state import Record
from intake.context import AppContext
from intake.letters import long_date
from intake.workflow import Actor, record_event
from store.models import Case, ReasonableAdjustment, Representative, Resident


def apply_record(
    session: Session, ctx: AppContext, case: Case, record: Record, actor: Actor
) -> None:
    """Put one thing the resident told the chat into the case record."""
    data = record.data
    if record.kind == "event":
        record_event(session, case, data["kind"], data["summary"], actor)
    elif record.kind == "resident":
        resident = session.get(Resident, case.resident_id) if case.resident_id else None
        if resident is None:
            return
        for field in ("name", "address", "tenancy_ref", "email", "phone"):
            if data.get(field):
                setattr(resident, field, str(data[field])[: _LIMITS[field]])
        session.add(resident)
        record_event(
            session,
            case,
            "chat_details",
            "Contact details given in the web chat (not verified): "
            + ", ".join(f.replace("_", " ") for f in data),
            actor,
        )
    elif record.kind == "representative":
        _representative(session, ctx, case, data, actor)
    elif record.kind == "adjustment":
        _adjustment(session, ctx, case, str(data["description"]), actor)


_LIMITS = {"name": 200, "address": 500, "tenancy_ref": 100, "email": 320, "phone": 50}


def _representative(
    session: Session, ctx: AppContext, case: Case, data: dict[str, Any], actor: Actor
) -> None:
    consent = bool(data.get("consent"))
    representative = Representative(
        name=str(data.get("name") or "Not given")[:200],
        relationship=str(data.get("relationship") or "")[:100],
        consent_obtained=consent,
        consent_evidence=(
            f"{data.get('evidence') or 'Stated'} in the web chat on "
            f"{long_date(ctx.calendar.local_date(ctx.clock()))}"
            if consent
            else ""
        )[:1000],
        consent_recorded_at=ctx.clock() if consent else None,
    )
    session.add(representative)
    session.flush()
    case.representative_id = representative.id
    case.updated_at = ctx.clock()
    record_event(
        session,
        case,
        "representative",
        f"Representative named in the web chat: {representative.name}"
        + (f" ({representative.relationship})" if representative.relationship else "")
        + ("; consent stated" if consent else "; consent not yet given"),
        actor,
    )


def _adjustment(
    session: Session, ctx: AppContext, case: Case, description: str, actor: Actor
) -> None:
    """A reasonable adjustment the resident asked for (5.10); staff agree and review it."""
    if case.resident_id is None or not description:
        return
    resident = session.get(Resident, case.resident_id)
    if resident is not None and not resident.disclosed_needs:
        resident.disclosed_needs = description[:2000]
    adjustment = ReasonableAdjustment(
        resident_id=case.resident_id,
        case_id=case.id,
        description=f"Asked for in the web chat: {description}"[:1000],
        agreed_at=ctx.clock(),
    )
    session.add(adjustment)
    session.flush()
    record_event(
        session,
        case,
        "adjustment_requested",
        f"Reasonable adjustment asked for in the web chat: {description[:200]}. "
        "Agree it with the resident and set a review date (Code 5.10).",
        actor,
        adjustment_id=adjustment.id,
    )
