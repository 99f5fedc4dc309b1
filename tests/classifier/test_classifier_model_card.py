"""The model card's reproduce command names every training choice that differs from the default."""

from __future__ import annotations

from typing import Any

from classifier.train import model_card


def _meta(**arguments: Any) -> dict[str, Any]:
    space = {"labels": ["complaint", "service_request", "other"], "hazards": [],
             "has_stage": False, "has_vulnerability": False, "has_roles": False}  # fmt: skip
    return {
        "version": "v1", "base_model": "base", "data_hash": "abc", "seed": 13,
        "max_length": 256, "temperature": 1.0, "label_space": space,
        "training_arguments": {"data": "training_data", "epochs": 4, **arguments},
    }  # fmt: skip


def _reproduce_line(card: str) -> str:
    start = card.index("Reproduce:")
    return " ".join(card[start : card.index("(same weights", start)].split())


def test_defaults_add_no_options() -> None:
    line = _reproduce_line(model_card(_meta(num_threads=None), {}))
    assert line == "Reproduce: `intake train --data training_data --out DIR --epochs 4 --seed 13`"


def test_non_default_choices_are_named() -> None:
    card = model_card(_meta(num_threads=1, other_weight=1.5, layer_decay=1.0, augment=0.0), {})
    line = _reproduce_line(card)
    assert line.endswith("--seed 13 --threads 1 --other-weight 1.5`")
