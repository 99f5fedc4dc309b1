"""The Regulator of Social Housing's Tenant Satisfaction Measures CH01 and CH02."""

from __future__ import annotations

from intake.reports.cohorts import STAGES, Cohorts
from intake.reports.model import Figure, Section

CH01_DEFINITION = (
    "CH01: the number of stage 1 (part 1) and stage 2 (part 2) complaints received in the "
    "period, per 1,000 homes owned: complaints received ÷ homes × 1,000. Complaints refused "
    "under an exclusion are not counted."
)
CH02_DEFINITION = (
    "CH02: the proportion of stage 1 (part 1) and stage 2 (part 2) complaints responded to "
    "within the Complaint Handling Code's timescales, out of all responded to in the period: "
    "10 working days from acknowledgement at stage 1 and 20 at stage 2, or by an extended date "
    "within the Code's limits (10 or 20 more working days, with the reason given to the "
    "resident). The same share without extensions is under 'Responded within the Code's "
    "timescales'."
)
NO_HOMES = (
    "CH01 needs the number of homes you own: set INTAKE_HOMES_COUNT (homes_count in the "
    "config file) and produce the report again."
)


def measures(cohorts: Cohorts, homes: int) -> Section:
    """CH01 and CH02, both parts."""
    figures: list[Figure] = []
    for stage in STAGES:
        ids = [t.row.case_id for t in cohorts.received[stage]]
        figures.append(
            Figure(
                f"tsm.ch01.stage{stage}",
                f"CH01 part {stage}: stage {stage} complaints received per 1,000 homes",
                len(ids),
                ids,
                per_thousand=len(ids) / homes * 1000 if homes else None,
                note="" if homes else NO_HOMES,
            )
        )
    for stage in STAGES:
        sent = cohorts.responded[stage]
        within = [t.row.case_id for t in sent if t.within_extension]
        figures.append(
            Figure(
                f"tsm.ch02.stage{stage}",
                f"CH02 part {stage}: stage {stage} complaints responded to within the Code's "
                "timescales",
                len(within),
                within,
                of=len(sent),
            )
        )
    return Section(
        "tsm",
        "Tenant Satisfaction Measures",
        "TSM CH01, CH02",
        f"{CH01_DEFINITION} {CH02_DEFINITION}",
        figures,
        chart="on_time",
    )
