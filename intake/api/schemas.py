"""Request and response bodies of the JSON API; unknown fields are refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from store.models import CaseStatus, Channel, Label

MAX_TEXT = 100_000


class Strict(BaseModel):
    """Refuse unknown fields and wrong types rather than guess."""

    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=False)


class ResidentIn(Strict):
    name: str = Field("", max_length=200)
    email: str = Field("", max_length=320)
    phone: str = Field("", max_length=50)
    address: str = Field("", max_length=500)
    tenancy_ref: str = Field("", max_length=100)
    contact_preference: str = Field("", max_length=100)


class RepresentativeIn(Strict):
    name: str = Field(..., min_length=1, max_length=200)
    relationship: str = Field("", max_length=100)
    organisation: str = Field("", max_length=200)
    email: str = Field("", max_length=320)
    phone: str = Field("", max_length=50)
    consent_obtained: bool = False
    consent_evidence: str = Field("", max_length=1000)


class MessageIn(Strict):
    """A message staff took by phone, in person or elsewhere (Code 3.2)."""

    channel: Channel
    text: str = Field(..., min_length=1, max_length=MAX_TEXT)
    received_at: datetime | None = None
    subject: str = Field("", max_length=500)
    resident: ResidentIn | None = None
    representative: RepresentativeIn | None = None


class MessageCreated(BaseModel):
    case_id: int
    reference: str


class DefinitionIn(Strict):
    issues: list[str] = Field(default_factory=list, max_length=50)
    outcomes: list[str] = Field(default_factory=list, max_length=50)
    responsible: list[str] = Field(default_factory=list, max_length=50)
    not_responsible: list[str] = Field(default_factory=list, max_length=50)
    clarifications: list[str] = Field(default_factory=list, max_length=50)


class ConfirmIn(Strict):
    """A person's decision on the proposal; `version` guards against overwriting a colleague."""

    label: Label
    stage: Literal[1, 2] | None = None
    definition: DefinitionIn | None = None
    version: int | None = None


class DeadlinesOut(BaseModel):
    acknowledge_by: date | None = None
    respond_by: date | None = None
    extension_limit: date | None = None
    next: date | None = None
    next_kind: str = ""
    working_days_left: int | None = None
    overdue: bool = False


class CaseSummary(BaseModel):
    id: int
    reference: str
    label: Label | None
    confirmed: bool
    proposed_label: Label | None
    confidence: float | None
    status: CaseStatus
    stage: int | None
    channel: Channel
    received_at: datetime
    summary: str
    deadlines: DeadlinesOut
    hazards: list[str]
    emergency: bool
    vulnerability: bool
    possible_exclusions: list[str]
    assignee_id: int | None
    version: int


class CaseList(BaseModel):
    items: list[CaseSummary]
    total: int
    limit: int
    offset: int


class CaseDetail(CaseSummary):
    definition: dict[str, Any] | None
    resident: dict[str, Any] | None
    representative: dict[str, Any] | None
    proposal: dict[str, Any] | None
    stages: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]
    extensions: list[dict[str, Any]]
    exclusions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    links: list[dict[str, Any]]
    outcome: str
    remedy: str
    compensation_pence: int
