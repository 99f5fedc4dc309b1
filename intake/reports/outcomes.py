"""What complaints decided: outcomes, remedies and compensation of responses sent (9.7a, 7.x)."""

from __future__ import annotations

from intake.reports.cohorts import STAGES, Cohorts
from intake.reports.data import Dataset
from intake.reports.model import Figure, Section
from intake.reports.timeliness import StageTiming
from store.models import Outcome

OUTCOME_LABELS = {
    Outcome.UPHELD.value: "Upheld",
    Outcome.PARTLY_UPHELD.value: "Partly upheld",
    Outcome.NOT_UPHELD.value: "Not upheld",
    Outcome.WITHDRAWN.value: "Withdrawn",
}


def outcomes(cohorts: Cohorts) -> Section:
    """Decisions of the stage responses sent in the period."""
    figures: list[Figure] = []
    for stage in STAGES:
        sent = cohorts.responded[stage]
        decisions = list(OUTCOME_LABELS)
        decisions += sorted({t.row.decision for t in sent} - set(decisions))
        for decision in decisions:
            ids = [t.row.case_id for t in sent if t.row.decision == decision]
            label = OUTCOME_LABELS.get(decision) or decision.replace("_", " ") or "No decision"
            figures.append(
                Figure(
                    f"outcome.stage{stage}.{decision or 'none'}",
                    f"Stage {stage}: {label.lower() if label[0].isupper() else label}",
                    len(ids),
                    ids,
                    of=len(sent),
                )
            )
    return Section(
        "outcomes",
        "Outcomes",
        "Code 9.7a",
        "The decision in each stage response sent in the period.",
        figures,
    )


def remedies(cohorts: Cohorts, data: Dataset, timings: list[StageTiming]) -> Section:
    """Remedies offered in responses, and compensation on complaints finally answered."""
    figures: list[Figure] = []
    for stage in STAGES:
        sent = cohorts.responded[stage]
        ids = [t.row.case_id for t in sent if t.row.remedy]
        figures.append(
            Figure(
                f"remedy.stage{stage}",
                f"Stage {stage}: responses that offered a remedy",
                len(ids),
                ids,
                of=len(sent),
            )
        )
    # Compensation is recorded on the case as a running total, so it is counted once, in the
    # period of the case's latest response.
    latest: dict[int, StageTiming] = {}
    for timing in timings:
        row = timing.row
        if row.responded is None:
            continue
        known = latest.get(row.case_id)
        if known is None or (known.row.responded or row.responded) <= row.responded:
            latest[row.case_id] = timing
    answered = [
        case_id for case_id, t in latest.items() if cohorts.period.contains(t.row.responded)
    ]
    paid = [case_id for case_id in answered if data.cases[case_id].compensation_pence > 0]
    total = sum(data.cases[case_id].compensation_pence for case_id in paid)
    figures += [
        Figure(
            "compensation.cases",
            "Complaints with compensation offered",
            len(paid),
            paid,
            of=len(answered),
        ),
        Figure(
            "compensation.total",
            "Compensation offered in total",
            len(paid),
            paid,
            amount_pence=total,
        ),
    ]
    return Section(
        "remedies",
        "Remedies and compensation",
        "Code 7.1-7.3, 9.7a",
        "Remedies offered in stage responses sent in the period. Compensation is the total "
        "recorded on each complaint whose latest response was sent in the period.",
        figures,
    )
