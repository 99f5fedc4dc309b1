"""Whether each stage met the Code's timescales: acknowledgement, response, agreed extensions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from intake.calendar import WorkingCalendar
from intake.deadlines import compute_deadlines, extension_cap
from intake.reports.data import ExtensionRow, StageRow
from intake.settings import CodeLimits, Policy

# The Code's own maxima, whatever shorter targets the landlord has set: the report and the
# Tenant Satisfaction Measures measure against the Code (6.2, 6.3, 6.11, 6.14).
CODE = Policy()

ON_TIME = "on_time"
LATE = "late"
PENDING = "pending"


@dataclass(frozen=True, slots=True)
class StageTiming:
    """One stage measured against the Code."""

    row: StageRow
    acknowledge_by: date
    acknowledgement: str  # ON_TIME, LATE, or PENDING (not acknowledged and not yet due)
    respond_by: date | None  # the Code's date, counted from the acknowledgement
    allowed_by: date | None  # respond_by, or a later extended date within the Code's cap
    extended: bool
    within_code: bool | None  # None until responded
    within_extension: bool | None
    overdue: bool  # no response yet and past the (extended) date


class _RememberingCalendar(WorkingCalendar):
    """The same calendar, remembering each working-day sum: a year's report asks for tens of
    thousands, over a few hundred distinct days."""

    def __init__(self, calendar: WorkingCalendar):
        # Share the nation's holiday table instead of building it again.
        self.__dict__.update(calendar.__dict__)
        self._sums: dict[tuple[date, int], date] = {}

    def add_working_days(self, start: date, count: int) -> date:
        key = (start, count)
        found = self._sums.get(key)
        if found is None:
            found = self._sums[key] = super().add_working_days(start, count)
        return found


class CodeClock:
    """The Code's dates for a stage, memoised: many cases share the same few hundred days."""

    def __init__(self, calendar: WorkingCalendar):
        self.calendar = _RememberingCalendar(calendar)
        self._deadlines: dict[tuple[date, int, date | None], tuple[date, date]] = {}
        self._caps: dict[tuple[date, int], date] = {}

    def dates(self, requested: date, stage: int, acknowledged: date | None) -> tuple[date, date]:
        """(acknowledge by, respond by) under the Code's maxima."""
        key = (requested, stage, acknowledged)
        found = self._deadlines.get(key)
        if found is None:
            deadlines = compute_deadlines(
                requested,
                calendar=self.calendar,
                policy=CODE,
                stage=stage,
                acknowledged=acknowledged,
            )
            found = (deadlines.acknowledge_by, deadlines.respond_by)
            self._deadlines[key] = found
        return found

    def cap(self, respond_by: date, stage: int) -> date:
        """The latest date an extension may reach under the Code (6.4, 6.15)."""
        key = (respond_by, stage)
        found = self._caps.get(key)
        if found is None:
            found = extension_cap(respond_by, stage=stage, calendar=self.calendar, policy=CODE)
            self._caps[key] = found
        return found


def time_stage(
    row: StageRow, clock: CodeClock, extensions: list[ExtensionRow], today: date
) -> StageTiming:
    """Measure one stage: acknowledged within 5 working days; answered within 10 (stage 1) or
    20 (stage 2) working days of acknowledgement, or by an extended date within the Code's cap."""
    acknowledge_by, _ = clock.dates(row.requested, row.stage, None)
    # A response sent without a separate acknowledgement acknowledges the complaint too.
    acknowledged = row.acknowledged or row.responded
    if acknowledged is not None:
        acknowledgement = ON_TIME if acknowledged <= acknowledge_by else LATE
    else:
        acknowledgement = LATE if today > acknowledge_by else PENDING
    respond_by = allowed_by = None
    within_code = within_extension = None
    overdue = False
    if acknowledged is not None:
        _, respond_by = clock.dates(row.requested, row.stage, acknowledged)
        allowed_by = respond_by
        if extensions:
            # An extension counts only as far as the Code allows (6.4, 6.15).
            extended_to = max(ext.to_date for ext in extensions)
            allowed_by = max(respond_by, min(extended_to, clock.cap(respond_by, row.stage)))
        if row.responded is not None:
            within_code = row.responded <= respond_by
            within_extension = row.responded <= allowed_by
        else:
            overdue = today > allowed_by
    else:
        # Never acknowledged: it is overdue once even a same-day acknowledgement would be late.
        _, latest = clock.dates(row.requested, row.stage, acknowledge_by)
        overdue = today > latest
    return StageTiming(
        row=row,
        acknowledge_by=acknowledge_by,
        acknowledgement=acknowledgement,
        respond_by=respond_by,
        allowed_by=allowed_by,
        extended=bool(extensions),
        within_code=within_code,
        within_extension=within_extension,
        overdue=overdue,
    )


def code_days(stage: int) -> int:
    """The Code's response time in working days for a stage."""
    return CodeLimits.STAGE1_RESPONSE if stage == 1 else CodeLimits.STAGE2_RESPONSE
