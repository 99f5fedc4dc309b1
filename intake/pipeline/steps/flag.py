"""Step `flag`: hazards (Awaab's Law), vulnerability (5.10, 6.1) and possible exclusions (2.2)."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session

from intake.context import AppContext
from intake.pipeline.item import WorkItem

# Hazards that must be made safe within 24 hours whoever reports them.
EMERGENCY_HAZARDS = {"gas", "electrical", "fire_safety", "structural", "security"}
# Hazards that become emergencies when the household is vulnerable.
EMERGENCY_IF_VULNERABLE = {"no_heating", "no_hot_water", "water_leak", "damp_mould"}

LEGAL = re.compile(
    r"\b(solicitors?|county court|claim form|particulars of claim|issued proceedings|"
    r"legal proceedings|disrepair claim|court claim|litigation|letter before (?:action|claim)|"
    r"pre-action protocol)\b",
    re.IGNORECASE,
)
YEARS_AGO = re.compile(
    r"\b(?:over|more than)\s+(?:a|one|1)\s+year\s+ago\b|"
    r"\b(?:two|three|four|five|six|several|many|\d{1,2})\s+years?\s+ago\b|"
    r"\bsince\s+(?:19|20)\d{2}\b|\bin\s+(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
YEAR = re.compile(r"\b((?:19|20)\d{2})\b")


def possible_exclusions(text: str, received: date) -> list[str]:
    """Advisory flags for a person to consider; nothing is ever refused automatically (2.5)."""
    flags = []
    if LEGAL.search(text):
        flags.append("legal_proceedings")
    match = YEARS_AGO.search(text)
    if match:
        years = [int(y) for y in YEAR.findall(match.group(0))]
        # "in 2026" about a 2026 complaint is recent; "3 years ago" is not.
        if not years or min(years) < received.year - 1:
            flags.append("over_12_months")
    return flags


# Computes only: the runner calls it before opening the write transaction.
USES_DATABASE = False


def run(item: WorkItem, ctx: AppContext, session: Session) -> None:
    """Decide what moves the case up the queue and what a person should check."""
    prediction, message = item.prediction, item.message
    assert prediction is not None and message is not None and message.received_at is not None
    hazards = set(prediction.hazards)
    item.emergency = bool(hazards & EMERGENCY_HAZARDS) or (
        prediction.vulnerability and bool(hazards & EMERGENCY_IF_VULNERABLE)
    )
    if prediction.label == "complaint":
        item.possible_exclusions = possible_exclusions(
            message.text, ctx.calendar.local_date(message.received_at)
        )
    item.explain(
        "flag",
        hazards=sorted(hazards),
        vulnerability=prediction.vulnerability,
        emergency=item.emergency,
        possible_exclusions=item.possible_exclusions,
    )
