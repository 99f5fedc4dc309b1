"""What the classifier returns for one text: the contract between classifier/ and intake/."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

LABELS: tuple[str, ...] = ("complaint", "service_request", "other")
HAZARDS: tuple[str, ...] = (
    "damp_mould",
    "gas",
    "electrical",
    "water_leak",
    "no_heating",
    "no_hot_water",
    "structural",
    "fire_safety",
    "security",
    "pests",
)


@dataclass(frozen=True)
class Definition:
    """The draft complaint definition (Code 5.6): issues and outcomes, with source sentences."""

    issues: list[str]
    outcomes: list[str]
    # The sentence of the message each issue / outcome came from, index-aligned.
    issue_evidence: list[str] = field(default_factory=list)
    outcome_evidence: list[str] = field(default_factory=list)
    # Questions the officer should ask, e.g. when no outcome is stated (5.6).
    clarifications: list[str] = field(default_factory=list)

    def to_contract(self) -> dict[str, list[str]]:
        """The contract's `definition` object: issues and outcomes only."""
        return {"issues": list(self.issues), "outcomes": list(self.outcomes)}


@dataclass(frozen=True)
class Prediction:
    """A proposal for one message; a person confirms or overrides it."""

    label: str
    scores: dict[str, float]
    stage: int | None
    hazards: list[str]
    vulnerability: bool
    definition: Definition | None
    # The Code provision that decided the label, e.g. "1.2", "1.4", "1.5", "1.6", "6.10".
    provision: str
    # Plain-English reasons a team lead can read ("Expresses dissatisfaction with ...").
    reasons: list[str] = field(default_factory=list)
    # Sentences of the message that show the dissatisfaction (or the request).
    evidence: list[str] = field(default_factory=list)
    model_version: str = ""

    @property
    def confidence(self) -> float:
        """Calibrated probability of the proposed label."""
        return self.scores.get(self.label, 0.0)

    def to_contract(self, message_id: str) -> dict[str, Any]:
        """One output line of `intake classify`, exactly as the contract fixes it."""
        return {
            "id": message_id,
            "label": self.label,
            "scores": dict(self.scores),
            "stage": self.stage,
            "hazards": list(self.hazards),
            "vulnerability": self.vulnerability,
            "definition": self.definition.to_contract() if self.definition else None,
        }


class TextClassifier(Protocol):
    """Anything that turns texts into predictions: the fine-tuned model, or a fake in tests."""

    @property
    def version(self) -> str: ...

    def predict(
        self, texts: Sequence[str], channels: Sequence[str | None] | None = None
    ) -> list[Prediction]: ...
