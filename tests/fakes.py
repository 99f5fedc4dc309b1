"""A keyword classifier for plumbing tests: predictable, instant, and honest about being fake."""

from __future__ import annotations

from collections.abc import Sequence

from classifier.prediction import Definition, Prediction

COMPLAINT_WORDS = (
    "unhappy",
    "nobody came",
    "disgusted",
    "complain about your",
    "still not",
    "escalate",
    "not happy",
)
HAZARD_WORDS = {
    "gas": "gas",
    "wiring": "electrical",
    "mould": "damp_mould",
    "leak": "water_leak",
    "no heating": "no_heating",
}


class FakeClassifier:
    """Labels by keyword; drafts the first sentence as the issue."""

    version = "fake-1"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def predict(
        self, texts: Sequence[str], channels: Sequence[str | None] | None = None
    ) -> list[Prediction]:
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> Prediction:
        self.calls.append(text)
        lower = text.lower()
        if "explode" in lower:
            raise RuntimeError("the fake classifier was asked to fail")
        hazards = sorted({h for word, h in HAZARD_WORDS.items() if word in lower})
        vulnerable = any(w in lower for w in ("disabled", "baby", "pregnant", "elderly"))
        if any(w in lower for w in COMPLAINT_WORDS):
            stage = 2 if "escalate" in lower else 1
            first = text.strip().split(".")[0][:200]
            outcomes = ["Wants it fixed"] if "fix" in lower else []
            return Prediction(
                label="complaint",
                scores={"complaint": 0.9, "service_request": 0.07, "other": 0.03},
                stage=stage,
                hazards=hazards,
                vulnerability=vulnerable,
                definition=Definition(issues=[first], outcomes=outcomes, issue_evidence=[first]),
                provision="6.10" if stage == 2 else "1.2",
                reasons=["Expresses dissatisfaction with the landlord"],
                evidence=[first],
                model_version=self.version,
            )
        if any(w in lower for w in ("broken", "repair", "leak", "fix", "gas", "mould", "noise")):
            return Prediction(
                label="service_request",
                scores={"complaint": 0.1, "service_request": 0.85, "other": 0.05},
                stage=None,
                hazards=hazards,
                vulnerability=vulnerable,
                definition=None,
                provision="1.4",
                reasons=["Asks for something to be put right"],
                model_version=self.version,
            )
        return Prediction(
            label="other",
            scores={"complaint": 0.05, "service_request": 0.05, "other": 0.9},
            stage=None,
            hazards=hazards,
            vulnerability=vulnerable,
            definition=None,
            provision="1.2",
            model_version=self.version,
        )
