"""Load every labelled split once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "training_data"


def load(split: str) -> list[dict]:
    records = []
    for f in sorted((DATA / split).glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                records.append(json.loads(line))
    return records


@pytest.fixture(scope="session")
def splits() -> dict[str, list[dict]]:
    return {name: load(name) for name in ("train", "dev", "test")}
