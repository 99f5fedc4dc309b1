"""The labelled data follows the schema and the minimums (counts, mix, hard cases, definitions)."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "training_data"

spec = importlib.util.spec_from_file_location("validate", DATA / "validate.py")
assert spec and spec.loader
validate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(validate)


def test_every_record_is_valid(splits: dict[str, list[dict]]) -> None:
    problems = [
        p for name, recs in splits.items() for i, rec in enumerate(recs)
        for p in validate.check_record(rec, f"{name}:{i}")
    ]  # fmt: skip
    assert not problems, "\n".join(problems[:20])


def test_ids_are_unique_across_splits(splits: dict[str, list[dict]]) -> None:
    ids = Counter(rec["id"] for recs in splits.values() for rec in recs)
    assert not [i for i, c in ids.items() if c > 1]


def test_sizes_and_mix(splits: dict[str, list[dict]]) -> None:
    everything = [rec for recs in splits.values() for rec in recs]
    assert len(everything) >= 3000
    assert len(splits["test"]) >= 400
    assert len(splits["dev"]) >= 200
    labels = Counter(rec["label"] for rec in everything)
    for label, share in (("complaint", 0.4), ("service_request", 0.4), ("other", 0.2)):
        assert abs(labels[label] / len(everything) - share) < 0.08, labels
    hard = sum(rec.get("hard_case") is not None for rec in everything)
    assert hard / len(everything) >= 0.40
    defined = sum(1 for rec in everything if rec["label"] == "complaint" and rec.get("definition"))
    assert defined >= 800


def test_templates_are_limited_and_never_in_test(splits: dict[str, list[dict]]) -> None:
    everything = [rec for recs in splits.values() for rec in recs]
    templated = sum(rec.get("source") != "written" for rec in everything)
    assert templated / len(everything) <= 0.20
    assert all(rec.get("source") == "written" for rec in splits["test"])
    assert {rec.get("writer") for rec in splits["test"]}.isdisjoint(
        {rec.get("writer") for rec in splits["train"] + splits["dev"]}
    )
