"""Which cases each figure counts in a period: the report's counting rules in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.reports.data import CaseRow, Dataset, ExclusionRow, ExtensionRow
from intake.reports.period import Period
from intake.reports.timeliness import CodeClock, StageTiming, time_stage
from store.models import Label

STAGES = (1, 2)


@dataclass
class Cohorts:
    """The cases behind a period's figures, sorted into the groups the report counts."""

    period: Period
    # Complaints accepted at each stage whose clock started (received or escalated) in the
    # period; a stage refused under an exclusion is counted under `refused` instead.
    received: dict[int, list[StageTiming]] = field(default_factory=dict)
    # Stage responses sent in the period, whenever the complaint arrived (as TSM CH02 counts).
    responded: dict[int, list[StageTiming]] = field(default_factory=dict)
    # Refusals of complaints (or stage 2 requests) received in the period (8.1b).
    refused: list[ExclusionRow] = field(default_factory=list)
    service_requests: list[CaseRow] = field(default_factory=list)
    other: list[CaseRow] = field(default_factory=list)
    awaiting_triage: list[CaseRow] = field(default_factory=list)
    extensions: list[ExtensionRow] = field(default_factory=list)  # made in the period

    @property
    def is_empty(self) -> bool:
        """True when nothing at all happened in the period."""
        return not (
            any(self.received.values())
            or any(self.responded.values())
            or self.refused
            or self.service_requests
            or self.other
            or self.awaiting_triage
            or self.extensions
        )


def time_all(data: Dataset, clock: CodeClock) -> list[StageTiming]:
    """Every loaded stage measured against the Code, once per report."""
    extensions = data.extensions_by_stage()
    return [
        time_stage(row, clock, extensions.get((row.case_id, row.stage), []), data.today)
        for row in data.stages
        if row.case_id in data.cases and row.stage in STAGES
    ]


def sort_into(period: Period, data: Dataset, timings: list[StageTiming]) -> Cohorts:
    """Sort the loaded rows into the period's cohorts."""
    cohorts = Cohorts(
        period=period,
        received={stage: [] for stage in STAGES},
        responded={stage: [] for stage in STAGES},
    )
    refused = data.refused_stages()
    requested_on = {}
    for timing in timings:
        row = timing.row
        requested_on[(row.case_id, row.stage)] = row.requested
        if period.contains(row.requested) and (row.case_id, row.stage) not in refused:
            cohorts.received[row.stage].append(timing)
        if period.contains(row.responded):
            cohorts.responded[row.stage].append(timing)
    for exclusion in data.exclusions:
        case = data.cases.get(exclusion.case_id)
        if case is None:
            continue
        # A refusal belongs to the period its complaint (or stage 2 request) arrived in.
        day = requested_on.get((exclusion.case_id, exclusion.stage), case.received)
        if period.contains(day):
            cohorts.refused.append(exclusion)
    for case in data.cases.values():
        if not period.contains(case.received):
            continue
        if case.label == Label.SERVICE_REQUEST:
            cohorts.service_requests.append(case)
        elif case.label == Label.OTHER:
            cohorts.other.append(case)
        elif case.label is None:
            cohorts.awaiting_triage.append(case)
    cohorts.extensions = [ext for ext in data.extensions if period.contains(ext.made)]
    return cohorts
