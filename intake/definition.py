"""The parts of a complaint definition (Code 5.6, 5.7): shared by workflow, letters and pages."""

from __future__ import annotations

from typing import Any

# What the resident is unhappy about, the outcomes they want, what the landlord is and is not
# responsible for (5.7), and the questions to ask when something is unclear (5.6).
DEFINITION_PARTS: tuple[str, ...] = (
    "issues",
    "outcomes",
    "responsible",
    "not_responsible",
    "clarifications",
)


def complete_definition(definition: dict[str, Any] | None) -> dict[str, Any]:
    """Every part present (empty when unknown), so templates never meet a missing key."""
    return {**{part: [] for part in DEFINITION_PARTS}, **(definition or {})}
