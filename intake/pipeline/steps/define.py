"""Step `define`: draft the complaint definition a person then confirms (5.6, 5.7)."""

from __future__ import annotations

from sqlmodel import Session

from intake.context import AppContext
from intake.pipeline.item import WorkItem

NO_OUTCOME_QUESTION = "What outcome is the resident seeking?"


# Computes only: the runner calls it before opening the write transaction.
USES_DATABASE = False


def run(item: WorkItem, ctx: AppContext, session: Session) -> None:
    """Issues and outcomes from the model's draft; ask when no outcome is stated."""
    prediction = item.prediction
    assert prediction is not None
    if prediction.label != "complaint" or prediction.definition is None:
        return
    definition = prediction.definition
    clarifications = list(definition.clarifications)
    if not definition.outcomes and not clarifications:
        clarifications.append(NO_OUTCOME_QUESTION)
    item.draft_definition = {
        "issues": list(definition.issues),
        "outcomes": list(definition.outcomes),
        "responsible": [],
        "not_responsible": [],
        "clarifications": clarifications,
        "issue_evidence": list(definition.issue_evidence),
        "outcome_evidence": list(definition.outcome_evidence),
    }
    item.explain("define", issues=len(definition.issues), outcomes=len(definition.outcomes))
