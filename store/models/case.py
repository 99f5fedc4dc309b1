"""The case record of Code 5.12: the case, its stages, proposal, decisions and history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Index, Integer, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from store.models.enums import CaseStatus, Channel, ExclusionGround, Label, LinkKind
from store.types import JSONType, UTCDateTime, enum_type, utcnow

_case_version = Column("version", Integer, nullable=False, default=1)


class Case(SQLModel, table=True):
    """One resident's matter: a complaint (both stages), a service request, or other mail."""

    __tablename__ = "cases"  # "case" is an SQL keyword
    __table_args__ = (
        Index("ix_case_queue", "status", "next_deadline"),
        Index("ix_case_label_status", "label", "status"),
    )
    # A second writer holding an old version gets a conflict, never a silent overwrite.
    __mapper_args__ = {"version_id_col": _case_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(default=1, sa_column=_case_version)
    status: CaseStatus = Field(default=CaseStatus.NEW, sa_type=enum_type(CaseStatus), index=True)
    # What a person confirmed; None until then. The proposal is kept apart (TriageProposal).
    label: Label | None = Field(default=None, sa_type=enum_type(Label))
    stage: int | None = None
    channel: Channel = Field(default=Channel.EMAIL, sa_type=enum_type(Channel), index=True)
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)
    subject: str = Field(default="", max_length=500)
    summary: str = Field(default="", max_length=500)  # first line, for the queue

    resident_id: int | None = Field(default=None, foreign_key="resident.id", index=True)
    representative_id: int | None = Field(default=None, foreign_key="representative.id")
    assignee_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    stage1_handler_id: int | None = Field(default=None, foreign_key="staff_user.id")
    stage2_handler_id: int | None = Field(default=None, foreign_key="staff_user.id")

    # Denormalised from the latest proposal so the queue sorts and filters without joins.
    proposed_label: Label | None = Field(default=None, sa_type=enum_type(Label), index=True)
    proposed_confidence: float | None = None
    proposal_id: int | None = Field(default=None)

    hazards: list[str] = Field(default_factory=list, sa_type=JSONType)
    has_hazards: bool = Field(default=False, index=True)
    emergency: bool = Field(default=False, index=True)  # tops the queue (Awaab's Law)
    vulnerability: bool = False
    vulnerability_notes: str = Field(default="", max_length=2000)
    # Advisory only (2.1-2.5): a person decides any exclusion.
    possible_exclusions: list[str] = Field(default_factory=list, sa_type=JSONType)

    # The complaint definition (5.6, 5.7): issues, outcomes, responsible, not_responsible,
    # clarifications, each a list of short phrases.
    definition: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    category: str = Field(default="", max_length=100, index=True)
    service_area: str = Field(default="", max_length=100)
    root_cause: str = Field(default="", max_length=200)
    issue_occurred_on: date | None = None
    resident_aware_on: date | None = None

    confirmed_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    # The next date that matters (acknowledge or respond), kept by the workflow for the queue.
    next_deadline: date | None = Field(default=None, index=True)
    next_deadline_kind: str = Field(default="", max_length=30)

    outcome: str = Field(default="", max_length=30)
    remedy: str = Field(default="", max_length=4000)
    compensation_pence: int = 0
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def reference(self) -> str:
        """The reference residents quote, e.g. INT-000123."""
        return format_reference(self.id or 0)


def format_reference(case_id: int) -> str:
    """The public reference for a case id."""
    return f"INT-{case_id:06d}"


class CaseStage(SQLModel, table=True):
    """One stage of a complaint with its clock (6.2-6.16). Only stages 1 and 2 exist."""

    __tablename__ = "case_stage"
    __table_args__ = (UniqueConstraint("case_id", "stage"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    stage: int
    requested_at: datetime = Field(sa_type=UTCDateTime)  # receipt, or the escalation request
    day_zero: date
    acknowledge_by: date
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    original_respond_by: date | None = None
    respond_by: date | None = None
    extension_limit: date | None = None
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handler_id: int | None = Field(default=None, foreign_key="staff_user.id")
    escalation_reason: str = Field(default="", max_length=4000)  # optional (6.12)
    decision: str = Field(default="", max_length=30)
    reasons: str = Field(default="", max_length=20000)
    remedy: str = Field(default="", max_length=4000)


class TriageProposal(SQLModel, table=True):
    """What the classifier proposed for a message, and why; never overwritten by a person."""

    __tablename__ = "triage_proposal"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="message.id")
    label: Label = Field(sa_type=enum_type(Label))
    scores: dict[str, float] = Field(default_factory=dict, sa_type=JSONType)
    stage: int | None = None
    hazards: list[str] = Field(default_factory=list, sa_type=JSONType)
    vulnerability: bool = False
    definition: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    provision: str = Field(default="", max_length=20)
    reasons: list[str] = Field(default_factory=list, sa_type=JSONType)
    evidence: list[str] = Field(default_factory=list, sa_type=JSONType)
    steps: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    model_version: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Extension(SQLModel, table=True):
    """An extension of a stage's response deadline, with its reason (6.4, 6.5, 6.15, 6.16)."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    stage: int
    from_date: date
    to_date: date
    working_days: int
    reason: str = Field(max_length=4000)
    agreed_with_resident: bool = False
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Exclusion(SQLModel, table=True):
    """A person's decision not to accept a complaint, with the reason (2.1-2.5, 5.11)."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    stage: int = 1
    ground: ExclusionGround = Field(sa_type=enum_type(ExclusionGround))
    reason: str = Field(max_length=4000)
    decided_by_id: int = Field(foreign_key="staff_user.id")
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OutstandingAction(SQLModel, table=True):
    """Something promised in a response and tracked until done (6.6, 6.17, 7.3)."""

    __tablename__ = "outstanding_action"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    description: str = Field(max_length=2000)
    owner: str = Field(default="", max_length=200)
    due_on: date | None = None
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseLink(SQLModel, table=True):
    """Two cases that belong together, e.g. a complaint about a service request (1.5)."""

    __tablename__ = "case_link"
    __table_args__ = (UniqueConstraint("from_case_id", "to_case_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    from_case_id: int = Field(foreign_key="cases.id", index=True)
    to_case_id: int = Field(foreign_key="cases.id", index=True)
    kind: LinkKind = Field(sa_type=enum_type(LinkKind))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Event(SQLModel, table=True):
    """One line of a case's append-only history: who did what, and when."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id")
    actor: str = Field(default="system", max_length=200)  # a name, "resident" or "system"
    kind: str = Field(max_length=50)
    summary: str = Field(default="", max_length=2000)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete a history event."""


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
def _history_is_append_only(mapper: Any, connection: Any, target: Event) -> None:
    raise AppendOnlyError("The case history is append-only: add a new event instead")
