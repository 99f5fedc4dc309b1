"""Per-hazard thresholds move off 0.5 only when the held-out split has enough examples."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import numpy as np

from classifier.data import Example
from classifier.train import MIN_HAZARD_EXAMPLES_TO_TUNE, Encoded, tune_hazard_thresholds


class ScoresOnly:
    """Stands in for a Classifier: fixed hazard probabilities, one row per text."""

    def __init__(self, hazards: list[str], scores: list[list[float]]) -> None:
        self.space = SimpleNamespace(hazards=hazards)
        self.scores = scores

    def predict_raw(self, texts: list[str], sentences: list[Any]) -> list[Any]:
        return [SimpleNamespace(hazards=np.array(row)) for row in self.scores[: len(texts)]]


def held_out(positives: int) -> tuple[ScoresOnly, Encoded]:
    """`positives` gas messages scored 0.45, and as many without gas scored 0.2 and 0.55."""
    examples, scores = [], []
    for n in range(positives):
        examples.append(Example(text=f"gas {n}", label="service_request", hazards=["gas"]))
        scores.append([0.45])
    for n in range(positives):
        examples.append(Example(text=f"none {n}", label="service_request", hazards=[]))
        scores.append([0.2 if n else 0.55])
    features = [SimpleNamespace(sentences=[e.text]) for e in examples]
    return ScoresOnly(["gas"], scores), Encoded(
        examples, cast(Any, features), [None] * len(examples)
    )


def test_a_rare_hazard_keeps_the_default_threshold() -> None:
    clf, enc = held_out(MIN_HAZARD_EXAMPLES_TO_TUNE - 1)
    assert tune_hazard_thresholds(cast(Any, clf), enc) == {"gas": 0.5}


def test_a_common_hazard_gets_the_threshold_with_the_best_f1() -> None:
    clf, enc = held_out(MIN_HAZARD_EXAMPLES_TO_TUNE)
    assert tune_hazard_thresholds(cast(Any, clf), enc) == {"gas": 0.4}
