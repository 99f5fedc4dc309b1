"""Confirmed cases as labelled JSON-lines records in the format `intake train --data` reads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from intake.pipeline.steps.classify import text_to_classify
from store.models import Case, Channel, Direction, Event, Label, Message, TriageProposal

BATCH_SIZE = 500
SOURCE = "confirmed_case"

# The four channels the training data knows (training_data/README.md). Phone calls, visits,
# letters, social media and anything else sent through the API or the staff form reach Intake
# only as a member of staff's note of what the resident said (Code 3.2), and that is what the
# `staff_form` examples are: notes after a call or visit, third person, in staff's words.
TRAINING_CHANNELS: dict[Channel, str] = {
    Channel.EMAIL: "email",
    Channel.CHAT: "chat",
    Channel.SLACK: "slack",
    Channel.STAFF_FORM: "staff_form",
}
STAFF_NOTE = "staff_form"

# The workflow writes one of these when a person confirms (or corrects) the proposal.
CONFIRM_EVENTS = ("confirmed", "label_corrected")


def training_channel(channel: Channel | str) -> str:
    """The training data's name for the channel a message came by."""
    return TRAINING_CHANNELS.get(Channel(channel), STAFF_NOTE)


@dataclass
class ExportCounts:
    """What an export wrote and left out, for the one-line summary."""

    cases: int = 0
    overrides: int = 0
    skipped_empty: int = 0


@dataclass(frozen=True)
class _Proposal:
    case_id: int
    message_id: int | None
    label: str
    hazards: list[str]
    model_version: str


def local_day_bounds(
    since: date | None, until: date | None, timezone: str
) -> tuple[datetime | None, datetime | None]:
    """UTC [start, end) for local days `since`..`until`, both included (None: open)."""
    zone = ZoneInfo(timezone)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), zone).astimezone(UTC)

    return (
        midnight(since) if since is not None else None,
        midnight(until + timedelta(days=1)) if until is not None else None,
    )


def iter_training_records(
    engine: Engine,
    *,
    confirmed_from: datetime | None = None,
    confirmed_before: datetime | None = None,
    overrides_only: bool = False,
    counts: ExportCounts | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[dict[str, Any]]:
    """One record per confirmed case, oldest case first, read `batch_size` cases at a time.

    Each batch has its own short session (keyset paging on the case id), so a long export
    never holds a transaction open against `intake serve` (SQLite takes its write lock at
    BEGIN) and memory stays at one batch whatever the number of cases.
    """
    counts = counts if counts is not None else ExportCounts()
    after = 0
    while True:
        with Session(engine) as session:
            query = select(Case).where(col(Case.confirmed_at).is_not(None), col(Case.id) > after)
            if confirmed_from is not None:
                query = query.where(col(Case.confirmed_at) >= confirmed_from)
            if confirmed_before is not None:
                query = query.where(col(Case.confirmed_at) < confirmed_before)
            cases = list(session.exec(query.order_by(col(Case.id)).limit(batch_size)).all())
            if not cases:
                return
            records = _batch_records(session, cases)
        after = cases[-1].id or after
        for record in records:
            if record is None:
                counts.skipped_empty += 1
                continue
            if overrides_only and not record["overridden"]:
                continue
            counts.cases += 1
            counts.overrides += bool(record["overridden"])
            yield record


def _batch_records(session: Session, cases: Sequence[Case]) -> list[dict[str, Any] | None]:
    """The records for one batch of cases (None where the case has no text to learn from)."""
    ids = [c.id for c in cases if c.id is not None]
    proposals: dict[int, _Proposal] = {}  # by proposal id; the oldest first
    # Only the columns needed: a proposal also keeps its whole pipeline trace.
    for pid, case_id, message_id, label, hazards, version in session.execute(
        select_columns(
            col(TriageProposal.id),
            col(TriageProposal.case_id),
            col(TriageProposal.message_id),
            col(TriageProposal.label),
            col(TriageProposal.hazards),
            col(TriageProposal.model_version),
        )
        .where(col(TriageProposal.case_id).in_(ids))
        .order_by(col(TriageProposal.id))
    ).all():
        proposals[pid] = _Proposal(case_id, message_id, str(label), list(hazards or []), version)
    first_inbound: dict[int, tuple[datetime, int]] = {}
    for case_id, message_id, at in session.exec(
        select(Message.case_id, Message.id, Message.at).where(
            col(Message.case_id).in_(ids), Message.direction == Direction.IN
        )
    ).all():
        if case_id is not None and message_id is not None:
            key = (at, message_id)
            first_inbound[case_id] = min(first_inbound.get(case_id, key), key)
    chosen = {c.id: _chosen_message(c, proposals, first_inbound) for c in cases}
    wanted = [m for m in chosen.values() if m is not None]
    messages = {
        m.id: m for m in session.exec(select(Message).where(col(Message.id).in_(wanted))).all()
    }
    confirmations: dict[int, dict[str, Any]] = {}
    for case_id, data in session.exec(
        select(Event.case_id, Event.data)
        .where(col(Event.case_id).in_(ids), col(Event.kind).in_(CONFIRM_EVENTS))
        .order_by(col(Event.id))
    ).all():
        confirmations[case_id] = dict(data or {})
    by_message = {p.message_id: p for p in proposals.values() if p.message_id is not None}
    out: list[dict[str, Any] | None] = []
    for case in cases:
        message_id = chosen[case.id]
        message = messages.get(message_id) if message_id is not None else None
        proposal = by_message.get(message_id) if message_id is not None else None
        out.append(
            _record(case, message, proposal, confirmations.get(case.id or 0, {}))
            if message is not None
            else None
        )
    return out


def _chosen_message(
    case: Case,
    proposals: dict[int, _Proposal],
    first_inbound: dict[int, tuple[datetime, int]],
) -> int | None:
    """The message whose text the record carries: the one that opened the case.

    In a chat, the latest turn before confirmation instead: each chat turn is classified with
    the resident's whole account so far, so that turn's text is the opening message grown to
    everything the person had read when they confirmed. (An email chaser, by contrast, is
    classified on its own words, so the first email stays the example.)
    """
    if case.channel is Channel.CHAT and case.proposal_id in proposals:
        message_id = proposals[case.proposal_id or 0].message_id
        if message_id is not None:
            return message_id
    first = first_inbound.get(case.id or 0)
    return first[1] if first is not None else None


def _record(
    case: Case,
    message: Message,
    proposal: _Proposal | None,
    confirmation: dict[str, Any],
) -> dict[str, Any] | None:
    """One training record; None when there is no text (nothing to learn from)."""
    text = text_to_classify(message.subject, message.body_text, message.meta, message.quoted_text)
    if not text.strip() or case.label is None:
        return None
    label = case.label.value
    # The stage and definition as the person confirmed them: a later escalation moves the
    # case to stage 2, but the opening message was a stage 1 complaint.
    stage = confirmation.get("stage", case.stage) if case.label is Label.COMPLAINT else None
    definition = confirmation.get("definition", case.definition) or {}
    issues = [str(i) for i in definition.get("issues") or []]
    outcomes = [str(o) for o in definition.get("outcomes") or []]
    # What the model proposed for this very text (a later chaser's proposal may differ).
    proposed = proposal.label if proposal else (case.proposed_label or case.label).value
    return {
        "id": f"case-{case.reference}",
        "text": text,
        "channel": training_channel(message.channel),
        "label": label,
        "stage": stage,
        # Nobody confirms hazards one by one: these are the flags proposed for this text.
        "hazards": sorted(proposal.hazards if proposal else case.hazards),
        # A person may have recorded a vulnerability the words did not show (5.10).
        "vulnerability": bool(case.vulnerability),
        "definition": {"issues": issues, "outcomes": outcomes}
        if case.label is Label.COMPLAINT and issues
        else None,
        "source": SOURCE,
        "proposed_label": proposed,
        "overridden": proposed != label,
        "model_version": proposal.model_version if proposal else "",
    }
