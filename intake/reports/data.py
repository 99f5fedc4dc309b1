"""Reads what a report needs from the store into plain rows, with a few column-only queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, case, or_, select
from sqlmodel import col

from intake.calendar import WorkingCalendar
from store.models import Case, CaseLink, CaseStage, Exclusion, ExclusionGround, Extension, LinkKind


@dataclass(slots=True)
class CaseRow:
    """The case fields the report counts by; dates are the landlord's local dates."""

    id: int
    label: str | None
    status: str
    channel: str
    category: str
    received: date
    outcome: str
    compensation_pence: int
    hazards: tuple[str, ...]
    vulnerability: bool


@dataclass(slots=True)
class StageRow:
    """One stage's clock: when it was asked for, acknowledged and answered."""

    case_id: int
    stage: int
    requested: date
    acknowledged: date | None
    responded: date | None
    decision: str
    remedy: str


@dataclass(slots=True)
class ExtensionRow:
    """One extension of a stage's response date."""

    case_id: int
    stage: int
    to_date: date
    working_days: int
    reason: str
    agreed: bool
    made: date


@dataclass(slots=True)
class ExclusionRow:
    """A person's decision not to accept a complaint at a stage (section 2)."""

    case_id: int
    stage: int
    ground: ExclusionGround


@dataclass
class Dataset:
    """Everything one report reads, loaded once and then counted in memory."""

    today: date
    cases: dict[int, CaseRow] = field(default_factory=dict)
    stages: list[StageRow] = field(default_factory=list)
    extensions: list[ExtensionRow] = field(default_factory=list)
    exclusions: list[ExclusionRow] = field(default_factory=list)
    # Complaints recorded as being about a service request (Code 1.5).
    about_service_request: set[int] = field(default_factory=set)

    def extensions_by_stage(self) -> dict[tuple[int, int], list[ExtensionRow]]:
        """Extensions grouped by (case id, stage)."""
        grouped: dict[tuple[int, int], list[ExtensionRow]] = defaultdict(list)
        for row in self.extensions:
            grouped[(row.case_id, row.stage)].append(row)
        return grouped

    def refused_stages(self) -> set[tuple[int, int]]:
        """(case id, stage) pairs refused under an exclusion."""
        return {(row.case_id, row.stage) for row in self.exclusions}


def utc_window(calendar: WorkingCalendar, start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants from local midnight starting `start` to local midnight after `end`."""
    return (
        datetime.combine(start, time(), calendar.zone),
        datetime.combine(end + timedelta(days=1), time(), calendar.zone),
    )


def _within(column: Any, low: datetime, high: datetime) -> ColumnElement[bool]:
    return and_(column >= low, column < high)


def load(engine: Engine, calendar: WorkingCalendar, start: date, end: date, today: date) -> Dataset:
    """Cases received, escalated, answered or extended between `start` and `end`, with their
    stages, extensions, exclusions and 1.5 links (all of them, whenever they happened)."""
    low, high = utc_window(calendar, start, end)
    case_ids = select(col(Case.id)).where(
        or_(
            _within(Case.received_at, low, high),
            col(Case.id).in_(
                select(col(CaseStage.case_id)).where(
                    or_(
                        _within(CaseStage.requested_at, low, high),
                        _within(CaseStage.responded_at, low, high),
                    )
                )
            ),
            col(Case.id).in_(
                select(col(Extension.case_id)).where(_within(Extension.created_at, low, high))
            ),
        )
    )
    local = calendar.local_date
    row: Any  # each query returns its own row shape
    data = Dataset(today=today)
    with engine.connect() as conn:
        for row in conn.execute(
            select(
                col(Case.id),
                col(Case.label),
                col(Case.status),
                col(Case.channel),
                col(Case.category),
                col(Case.received_at),
                col(Case.outcome),
                col(Case.compensation_pence),
                # Most cases have no hazard: skip decoding their empty JSON lists.
                case((col(Case.has_hazards), col(Case.hazards)), else_=None),
                col(Case.vulnerability),
            ).where(col(Case.id).in_(case_ids))
        ):
            data.cases[row[0]] = CaseRow(
                id=row[0],
                label=row[1].value if row[1] is not None else None,
                status=row[2].value,
                channel=row[3].value,
                category=(row[4] or "").strip(),
                received=local(row[5]),
                outcome=row[6] or "",
                compensation_pence=row[7] or 0,
                hazards=tuple(row[8] or ()),
                vulnerability=bool(row[9]),
            )
        for row in conn.execute(
            select(
                col(CaseStage.case_id),
                col(CaseStage.stage),
                col(CaseStage.requested_at),
                col(CaseStage.acknowledged_at),
                col(CaseStage.responded_at),
                col(CaseStage.decision),
                col(CaseStage.remedy),
            ).where(col(CaseStage.case_id).in_(case_ids))
        ):
            data.stages.append(
                StageRow(
                    case_id=row[0],
                    stage=row[1],
                    requested=local(row[2]),
                    acknowledged=local(row[3]) if row[3] else None,
                    responded=local(row[4]) if row[4] else None,
                    decision=row[5] or "",
                    remedy=(row[6] or "").strip(),
                )
            )
        for row in conn.execute(
            select(
                col(Extension.case_id),
                col(Extension.stage),
                col(Extension.to_date),
                col(Extension.working_days),
                col(Extension.reason),
                col(Extension.agreed_with_resident),
                col(Extension.created_at),
            ).where(col(Extension.case_id).in_(case_ids))
        ):
            data.extensions.append(
                ExtensionRow(
                    case_id=row[0],
                    stage=row[1],
                    to_date=row[2],
                    working_days=row[3],
                    reason=(row[4] or "").strip(),
                    agreed=bool(row[5]),
                    made=local(row[6]),
                )
            )
        for row in conn.execute(
            select(col(Exclusion.case_id), col(Exclusion.stage), col(Exclusion.ground)).where(
                col(Exclusion.case_id).in_(case_ids)
            )
        ):
            data.exclusions.append(ExclusionRow(case_id=row[0], stage=row[1], ground=row[2]))
        data.about_service_request = set(
            conn.execute(
                select(col(CaseLink.from_case_id)).where(
                    col(CaseLink.kind) == LinkKind.COMPLAINT_ABOUT_SERVICE_REQUEST,
                    col(CaseLink.from_case_id).in_(case_ids),
                )
            ).scalars()
        )
    return data
