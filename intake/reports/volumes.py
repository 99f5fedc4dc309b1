"""How many, and of what kind: by stage, channel, category, type and hazard (9.7a, 1.4, 1.5)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from intake.reports.cohorts import Cohorts
from intake.reports.data import CaseRow, Dataset
from intake.reports.model import Figure, Section, unique
from intake.reports.performance import slug
from intake.vocabulary import CHANNEL_NAMES, HAZARD_NAMES

CHANNEL_LABELS = CHANNEL_NAMES
HAZARDS = HAZARD_NAMES
UNCATEGORISED = "Not categorised"


def groups(cohorts: Cohorts, data: Dataset) -> list[tuple[str, str, list[CaseRow]]]:
    """(key, label, cases) for stage 1 complaints, stage 2 requests and service requests."""
    return [
        ("stage1", "Stage 1 complaints", [data.cases[t.row.case_id] for t in cohorts.received[1]]),
        ("stage2", "Stage 2 requests", [data.cases[t.row.case_id] for t in cohorts.received[2]]),
        ("service_requests", "Service requests", cohorts.service_requests),
    ]


def received(cohorts: Cohorts) -> Section:
    """The headline volumes."""
    refused = unique(e.case_id for e in cohorts.refused)

    def ids(rows: list[CaseRow]) -> list[int]:
        return [c.id for c in rows]

    stage1 = [t.row.case_id for t in cohorts.received[1]]
    stage2 = [t.row.case_id for t in cohorts.received[2]]
    return Section(
        "received",
        "Received in the period",
        "Code 9.7a, 1.4",
        "Complaints count at stage 1 on the day they were received and at stage 2 on the day "
        "the resident asked to escalate. A refused complaint is counted apart. Service requests "
        "and other messages count on the day received, once a person has confirmed what they are.",
        [
            Figure("received.stage1", "Stage 1 complaints received", len(stage1), stage1),
            Figure("received.stage2", "Stage 2 requests received", len(stage2), stage2),
            Figure("received.refused", "Complaints not accepted (refused)", len(refused), refused),
            Figure(
                "received.service_requests",
                "Service requests received",
                len(cohorts.service_requests),
                ids(cohorts.service_requests),
            ),
            Figure(
                "received.other",
                "Other messages (enquiries, compliments, survey replies)",
                len(cohorts.other),
                ids(cohorts.other),
            ),
            Figure(
                "received.awaiting_triage",
                "Messages still waiting for a person to confirm what they are",
                len(cohorts.awaiting_triage),
                ids(cohorts.awaiting_triage),
            ),
        ],
        chart="volumes",
    )


def _breakdown(
    prefix: str,
    label: str,
    cases: list[CaseRow],
    value: Callable[[CaseRow], str],
    name: Callable[[str], str],
) -> list[Figure]:
    """One figure per value, most frequent first, each out of the group's total."""
    by_value: dict[str, list[int]] = defaultdict(list)
    for case in cases:
        by_value[value(case)].append(case.id)
    figures = []
    seen: set[str] = set()
    for item, ids in sorted(by_value.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        key = f"{prefix}.{slug(item)}"
        while key in seen:  # two different texts with the same slug
            key += "-"
        seen.add(key)
        figures.append(Figure(key, f"{label}: {name(item)}", len(ids), ids, of=len(cases)))
    return figures


def channels(cohorts: Cohorts, data: Dataset) -> Section:
    """How cases reached the landlord."""
    figures: list[Figure] = []
    for key, label, cases in groups(cohorts, data):
        figures += _breakdown(
            f"channel.{key}",
            label,
            cases,
            lambda c: c.channel,
            lambda v: CHANNEL_LABELS.get(v, v),
        )
    return Section(
        "channels",
        "By channel",
        "Code 9.7a, 3.1",
        "How each case first reached the landlord. A stage 2 request is counted under the "
        "channel its complaint first came through.",
        figures,
    )


def categories(cohorts: Cohorts, data: Dataset) -> Section:
    """What complaints were about."""
    figures: list[Figure] = []
    for key, label, cases in groups(cohorts, data)[:2]:
        figures += _breakdown(
            f"category.{key}", label, cases, lambda c: c.category or UNCATEGORISED, str
        )
    return Section(
        "categories",
        "Complaints by category",
        "Code 9.7a",
        "The category a person recorded on the case; most frequent first.",
        figures,
        chart="categories",
    )


def service_request_types(cohorts: Cohorts) -> Section:
    """Service requests by type (1.4)."""
    return Section(
        "service_request_types",
        "Service requests by type",
        "Code 1.4",
        "Service requests are not complaints, but are recorded and monitored. Type is the "
        "category recorded on the case.",
        _breakdown(
            "sr.type",
            "Service requests",
            cohorts.service_requests,
            lambda c: c.category or UNCATEGORISED,
            str,
        ),
        empty="No service requests were received in this period.",
    )


def about_service_requests(cohorts: Cohorts, data: Dataset) -> Section:
    """Complaints raised about the handling of an earlier service request (1.5)."""
    stage1 = [t.row.case_id for t in cohorts.received[1]]
    linked = [case_id for case_id in stage1 if case_id in data.about_service_request]
    return Section(
        "service_request_complaints",
        "Complaints about a service request",
        "Code 1.5",
        "Stage 1 complaints received in the period that a person linked to the service request "
        "they are about. The service request carries on alongside the complaint.",
        [
            Figure(
                "link.stage1",
                "Stage 1 complaints about a service request",
                len(linked),
                linked,
                of=len(stage1),
            )
        ],
    )


def hazards(cohorts: Cohorts, data: Dataset) -> Section:
    """Hazards (Awaab's Law) and vulnerability flagged on cases received in the period."""
    figures: list[Figure] = []
    for key, label, cases in groups(cohorts, data):
        if key == "stage2":
            continue  # the same cases as at stage 1
        total = len(cases)
        flagged = [c.id for c in cases if c.hazards]
        figures.append(
            Figure(f"hazard.{key}.any", f"{label}: any hazard", len(flagged), flagged, of=total)
        )
        for hazard, name in HAZARDS.items():
            ids = [c.id for c in cases if hazard in c.hazards]
            if ids:
                figures.append(
                    Figure(
                        f"hazard.{key}.{hazard}",
                        f"{label}: {name}",
                        len(ids),
                        ids,
                        of=total,
                    )
                )
        vulnerable = [c.id for c in cases if c.vulnerability]
        figures.append(
            Figure(
                f"vulnerability.{key}",
                f"{label}: vulnerability or risk recorded",
                len(vulnerable),
                vulnerable,
                of=total,
            )
        )
    return Section(
        "hazards",
        "Hazards and vulnerability",
        "Awaab's Law; Code 5.10, 6.1",
        "Stage 1 complaints and service requests received in the period with a hazard or a "
        "vulnerability recorded on the case. A case with two hazards counts under each.",
        figures,
    )
