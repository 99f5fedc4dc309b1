"""Label sets and the heads a model has: what the data annotates decides which heads train."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from classifier.prediction import HAZARDS, LABELS

# Sentence roles for drafting the complaint definition (Code 5.6).
ROLES: tuple[str, ...] = ("other", "issue", "outcome")
COMPLAINT = "complaint"
SERVICE_REQUEST = "service_request"
OTHER = "other"


@dataclass
class LabelSpace:
    """The label values a model predicts and which optional heads it has."""

    labels: list[str] = field(default_factory=lambda: list(LABELS))
    hazards: list[str] = field(default_factory=list)
    has_stage: bool = False
    has_vulnerability: bool = False
    has_roles: bool = False

    @property
    def id2label(self) -> dict[int, str]:
        """Index to label name, as saved in the model folder."""
        return dict(enumerate(self.labels))

    @property
    def label2id(self) -> dict[str, int]:
        """Label name to index."""
        return {label: i for i, label in enumerate(self.labels)}

    @property
    def knows_code_labels(self) -> bool:
        """True when the labels are the Code's own, so provisions and definitions apply."""
        return COMPLAINT in self.labels

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with `id2label` keyed by string indices."""
        data = asdict(self)
        data["id2label"] = {str(i): label for i, label in self.id2label.items()}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LabelSpace:
        """Read back what `to_json` wrote."""
        id2label = data.get("id2label")
        labels = (
            [id2label[str(i)] for i in range(len(id2label))] if id2label else list(data["labels"])
        )
        return cls(
            labels=labels,
            hazards=list(data.get("hazards", [])),
            has_stage=bool(data.get("has_stage", False)),
            has_vulnerability=bool(data.get("has_vulnerability", False)),
            has_roles=bool(data.get("has_roles", False)),
        )


def known_hazards() -> tuple[str, ...]:
    """The contract's hazard flags, in their fixed order."""
    return HAZARDS
