"""The triage queue's data: filters from the address bar, one page of rows, most urgent first."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import String, cast, func, or_
from sqlmodel import Session, col, select

from intake.case_views import case_summary, stages_for
from intake.context import AppContext
from store.crud import QueueFilter, queue_query
from store.models import Case, CaseStatus, Channel, Label, Resident, StaffUser

PAGE_SIZE = 50
FLAGS = {
    "hazard": "Hazard",
    "emergency": "Emergency hazard",
    "vulnerability": "Vulnerability",
    "stage2": "Stage 2",
    "exclusion": "Possible exclusion",
}
REFERENCE = re.compile(r"^(?:INT-)?0*(\d{1,9})$", re.IGNORECASE)


@dataclass(frozen=True)
class QueueParams:
    """What the person asked the queue to show (all optional)."""

    label: Label | None = None
    status: CaseStatus | None = None
    channel: Channel | None = None
    flag: str = ""
    assignee: str = ""  # "", "me", "none" or a staff id
    q: str = ""
    page: int = 1

    def query_string(self, **changes: Any) -> str:
        """This view's address with some parameters changed (for paging links)."""
        values = replace(self, **changes)
        pairs = [
            ("label", values.label.value if values.label else ""),
            ("status", values.status.value if values.status else ""),
            ("channel", values.channel.value if values.channel else ""),
            ("flag", values.flag),
            ("assignee", values.assignee),
            ("q", values.q),
            ("page", str(values.page) if values.page > 1 else ""),
        ]
        return urlencode([(k, v) for k, v in pairs if v])

    @property
    def filtered(self) -> bool:
        """True when anything narrows the default view."""
        return any((self.label, self.status, self.channel, self.flag, self.assignee, self.q))


def _enum(kind: type[Any], raw: str | None) -> Any:
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        return None


def parse_params(query: Mapping[str, str]) -> QueueParams:
    """Read filters from the address bar; anything unrecognised is ignored, never an error."""
    page_raw = query.get("page", "1")
    page = int(page_raw) if page_raw.isdigit() and 0 < len(page_raw) < 7 else 1
    assignee = query.get("assignee", "")
    if assignee not in ("me", "none") and not (assignee.isdigit() and len(assignee) < 10):
        assignee = ""
    flag = query.get("flag", "")
    return QueueParams(
        label=_enum(Label, query.get("label")),
        status=_enum(CaseStatus, query.get("status")),
        channel=_enum(Channel, query.get("channel")),
        flag=flag if flag in FLAGS else "",
        assignee=assignee,
        q=query.get("q", "").strip()[:200],
        page=max(1, page),
    )


def _like(term: str) -> str:
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def build_query(params: QueueParams, user: StaffUser, today: date) -> Any:
    """The filtered queue, ordered: overdue, emergency hazards, other hazards, nearest deadline."""
    assignee_id = None
    if params.assignee == "me":
        assignee_id = user.id
    elif params.assignee.isdigit():
        assignee_id = int(params.assignee)
    flag = params.flag if params.flag in ("hazard", "vulnerability", "stage2") else None
    query = queue_query(
        today=today,
        filters=QueueFilter(
            label=params.label,
            status=params.status,
            channel=params.channel,
            assignee_id=assignee_id,
            flag=flag,
        ),
    )
    if params.assignee == "none":
        query = query.where(col(Case.assignee_id).is_(None))
    if params.flag == "emergency":
        query = query.where(col(Case.emergency).is_(True))
    if params.flag == "exclusion":
        # A JSON list is stored as text on SQLite and JSONB on PostgreSQL; both print "[]".
        query = query.where(cast(Case.possible_exclusions, String) != "[]")
    if params.q:
        query = query.where(_search(params.q))
    return query  # ordered by store.crud.queue_query, the same order as the JSON API


def _search(q: str) -> Any:
    term = _like(q)
    residents = select(Resident.id).where(
        or_(
            func.lower(Resident.name).like(term, escape="\\"),
            func.lower(Resident.email).like(term, escape="\\"),
            func.lower(Resident.tenancy_ref).like(term, escape="\\"),
        )
    )
    conditions: list[Any] = [
        func.lower(Case.subject).like(term, escape="\\"),
        func.lower(Case.summary).like(term, escape="\\"),
        col(Case.resident_id).in_(residents),
    ]
    reference = REFERENCE.match(q.strip())
    if reference:
        conditions.append(col(Case.id) == int(reference.group(1)))
    return or_(*conditions)


def queue_page(
    db: Session, ctx: AppContext, params: QueueParams, user: StaffUser
) -> dict[str, Any]:
    """One page of queue rows with everything a row shows, in a fixed number of queries."""
    today = ctx.calendar.local_date(ctx.clock())
    query = build_query(params, user, today)
    total = db.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(params.page, pages)
    # Sort and page on ids alone, then load just those rows: the database then sorts narrow
    # rows rather than whole cases with their JSON (faster on deep pages, and on PostgreSQL).
    ids = list(
        db.exec(
            query.with_only_columns(col(Case.id)).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        ).all()
    )
    loaded = _by_id(db, Case, set(ids))
    cases = [loaded[i] for i in ids if i in loaded]
    clocks = stages_for(db, cases)
    residents = _by_id(db, Resident, {c.resident_id for c in cases})
    staff = _by_id(db, StaffUser, {c.assignee_id for c in cases})
    rows = []
    for case in cases:
        row = case_summary(db, ctx, case, today, clocks.get(case.id or 0))
        resident = residents.get(case.resident_id or 0)
        row["from"] = (resident.name or resident.email) if resident else ""
        assignee = staff.get(case.assignee_id or 0)
        row["assignee"] = assignee.name if assignee else ""
        rows.append(row)
    return {"rows": rows, "total": total, "page": page, "pages": pages, "today": today}


def _by_id(db: Session, model: Any, ids: set[int | None]) -> dict[int, Any]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {row.id: row for row in db.exec(select(model).where(col(model.id).in_(wanted))).all()}
