"""Performance against the Code: acknowledgement, response, extensions and refusals (6.x, 8.1b)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from intake.reports.cohorts import STAGES, Cohorts
from intake.reports.model import Figure, Section, unique
from intake.reports.timeliness import LATE, ON_TIME, PENDING, code_days
from store.models import ExclusionGround

GROUND_LABELS = {
    ExclusionGround.OVER_12_MONTHS: "Raised more than 12 months after the issue",
    ExclusionGround.LEGAL_PROCEEDINGS: "Legal proceedings had started",
    ExclusionGround.PREVIOUSLY_CONSIDERED: "Already considered under the complaints policy",
    ExclusionGround.OTHER_POLICY_REASON: "Another reason set out in the complaints policy",
}
LENGTHS = (
    (5, "up-to-5", "Extended by up to 5 working days"),
    (10, "6-to-10", "Extended by 6 to 10 working days"),
    (20, "11-to-20", "Extended by 11 to 20 working days"),
)
TOP_REASONS = 10


def slug(text: str) -> str:
    """A short URL-safe key for free text such as a category or a reason."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "none"


def acknowledgement(cohorts: Cohorts) -> Section:
    """Stage 1 complaints and stage 2 requests acknowledged within 5 working days."""
    figures: list[Figure] = []
    for stage in STAGES:
        timings = cohorts.received[stage]
        by: dict[str, list[int]] = defaultdict(list)
        for timing in timings:
            by[timing.acknowledgement].append(timing.row.case_id)
        due = len(by[ON_TIME]) + len(by[LATE])
        figures += [
            Figure(
                f"ack.stage{stage}.on_time",
                f"Stage {stage}: acknowledged within 5 working days",
                len(by[ON_TIME]),
                by[ON_TIME],
                of=due,
            ),
            Figure(
                f"ack.stage{stage}.late",
                f"Stage {stage}: acknowledged late, or not acknowledged and overdue",
                len(by[LATE]),
                by[LATE],
                of=due,
            ),
            Figure(
                f"ack.stage{stage}.pending",
                f"Stage {stage}: not yet acknowledged, still within 5 working days",
                len(by[PENDING]),
                by[PENDING],
            ),
        ]
    return Section(
        "acknowledgement",
        "Acknowledged within 5 working days",
        "Code 6.2, 6.11",
        "Stage 1 complaints and stage 2 requests received in the period and not refused. "
        "Day 0 is the day received, or the next working day when it arrives on a weekend or bank "
        "holiday; the acknowledgement is on time by the 5th working day after it. One not yet "
        "acknowledged counts as late once that day has passed, and is left out until then.",
        figures,
    )


def responses(cohorts: Cohorts) -> Section:
    """Stage responses sent in the period, measured against the Code's timescales."""
    figures: list[Figure] = []
    for stage in STAGES:
        sent = cohorts.responded[stage]
        days = code_days(stage)
        ids = [t.row.case_id for t in sent]
        within = [t.row.case_id for t in sent if t.within_code]
        allowed = [t.row.case_id for t in sent if t.within_extension]
        late = [t.row.case_id for t in sent if not t.within_extension]
        extended = [t.row.case_id for t in sent if t.extended]
        overdue = [t.row.case_id for t in cohorts.received[stage] if t.overdue]
        total = len(ids)
        figures += [
            Figure(f"response.stage{stage}.sent", f"Stage {stage}: responses sent", total, ids),
            Figure(
                f"response.stage{stage}.within_code",
                f"Stage {stage}: within {days} working days of acknowledgement, "
                "not counting extensions",
                len(within),
                within,
                of=total,
            ),
            Figure(
                f"response.stage{stage}.within_extension",
                f"Stage {stage}: within {days} working days or an extension the Code allows",
                len(allowed),
                allowed,
                of=total,
            ),
            Figure(
                f"response.stage{stage}.late",
                f"Stage {stage}: later than the Code allows",
                len(late),
                late,
                of=total,
            ),
            Figure(
                f"response.stage{stage}.extended",
                f"Stage {stage}: responses whose deadline had been extended",
                len(extended),
                extended,
                of=total,
            ),
            Figure(
                f"response.stage{stage}.overdue",
                f"Stage {stage}: received in the period and still awaiting a response past "
                "its deadline",
                len(overdue),
                overdue,
            ),
        ]
    return Section(
        "responses",
        "Responded within the Code's timescales",
        "Code 6.3-6.5, 6.14-6.16",
        "Stage responses sent in the period, whenever the complaint arrived. The Code allows 10 "
        "working days from acknowledgement at stage 1 and 20 at stage 2. An extension counts "
        "when it was recorded with its reason, and only up to 10 (stage 1) or 20 (stage 2) "
        "more working days.",
        figures,
    )


def extensions(cohorts: Cohorts) -> Section:
    """Extensions made in the period, by stage, length, agreement and reason."""
    made = cohorts.extensions
    total = len(made)
    figures = [
        Figure("extensions.total", "Extensions made", total, unique(e.case_id for e in made))
    ]
    for stage in STAGES:
        rows = [e for e in made if e.stage == stage]
        figures.append(
            Figure(
                f"extensions.stage{stage}",
                f"At stage {stage}",
                len(rows),
                unique(e.case_id for e in rows),
                of=total,
            )
        )
    low = 0
    for high, key, label in LENGTHS:
        rows = [e for e in made if low < e.working_days <= high]
        figures.append(
            Figure(
                f"extensions.length.{key}",
                label,
                len(rows),
                unique(e.case_id for e in rows),
                of=total,
            )
        )
        low = high
    agreed = [e for e in made if e.agreed]
    figures.append(
        Figure(
            "extensions.agreed",
            "Agreed with the resident",
            len(agreed),
            unique(e.case_id for e in agreed),
            of=total,
        )
    )
    reasons = Counter(e.reason.casefold() for e in made)
    shown = [reason for reason, _ in reasons.most_common(TOP_REASONS)]
    text = {e.reason.casefold(): e.reason for e in made}
    for reason in shown:
        rows = [e for e in made if e.reason.casefold() == reason]
        figures.append(
            Figure(
                f"extensions.reason.{slug(reason)}",
                f"Reason: {text[reason]}",
                len(rows),
                unique(e.case_id for e in rows),
                of=total,
            )
        )
    rest = [e for e in made if e.reason.casefold() not in shown]
    if rest:
        figures.append(
            Figure(
                "extensions.reason.other",
                f"Other reasons ({len(reasons) - len(shown)} different)",
                len(rest),
                unique(e.case_id for e in rest),
                of=total,
            )
        )
    return Section(
        "extensions",
        "Extensions, by length and reason",
        "Code 6.4, 6.5, 6.15, 6.16",
        "Extensions of a response deadline made in the period. Each counts once, with the "
        "reason the resident was given; a case extended twice counts twice.",
        figures,
        empty="No deadlines were extended in this period.",
    )


def refusals(cohorts: Cohorts) -> Section:
    """Complaints not accepted, by the Code's exclusion grounds (8.1b)."""
    refused = cohorts.refused
    total = len(refused)
    figures = [
        Figure(
            "refused.total", "Complaints not accepted", total, unique(e.case_id for e in refused)
        )
    ]
    for stage in STAGES:
        rows = [e for e in refused if e.stage == stage]
        figures.append(
            Figure(
                f"refused.stage{stage}",
                f"At stage {stage}",
                len(rows),
                unique(e.case_id for e in rows),
                of=total,
            )
        )
    for ground, label in GROUND_LABELS.items():
        rows = [e for e in refused if e.ground == ground]
        figures.append(
            Figure(
                f"refused.{ground.value}",
                label,
                len(rows),
                unique(e.case_id for e in rows),
                of=total,
            )
        )
    return Section(
        "refusals",
        "Complaints not accepted, by reason",
        "Code 8.1b, 2.2-2.4",
        "Complaints and stage 2 requests received in the period that a person decided not to "
        "accept under an exclusion in the complaints policy. Each resident was told why and of "
        "their right to go to the Housing Ombudsman.",
        figures,
        empty="No complaints were refused in this period.",
    )
