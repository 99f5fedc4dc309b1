"""Counts of the labelled data per split, label, channel, hard-case type and provision (Markdown).

Run: .venv/bin/python bench/bench_classifier_data.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "training_data"
SPLITS = ("train", "dev", "test")


def load(split: str) -> list[dict]:
    """Every record of one split."""
    out = []
    for f in sorted((DATA / split).glob("*.jsonl")):
        out += [json.loads(x) for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
    return out


def table(title: str, key: str, data: dict[str, list[dict]]) -> None:
    """A Markdown table of counts of `key` per split."""
    values = Counter(str(r.get(key)) for recs in data.values() for r in recs)
    print(f"\n### {title}\n")
    print("| " + key + " | " + " | ".join(SPLITS) + " | all |")
    print("|---" * (len(SPLITS) + 2) + "|")
    for value, total in values.most_common():
        row = [sum(1 for r in data[s] if str(r.get(key)) == value) for s in SPLITS]
        print(f"| {value} | " + " | ".join(map(str, row)) + f" | {total} |")
    sizes = [len(data[s]) for s in SPLITS]
    print("| **total** | " + " | ".join(map(str, sizes)) + f" | {sum(sizes)} |")


def main() -> int:
    data = {s: load(s) for s in SPLITS}
    everything = [r for recs in data.values() for r in recs]
    hard = sum(r.get("hard_case") is not None for r in everything)
    defined = sum(1 for r in everything if r["label"] == "complaint" and r.get("definition"))
    print(f"{len(everything)} messages; {hard} hard cases ({hard / len(everything):.0%}); "
          f"{defined} complaints with a definition")  # fmt: skip
    for title, key in (
        ("Labels", "label"),
        ("Channels", "channel"),
        ("Stage (complaints)", "stage"),
        ("Provision", "provision"),
        ("Hard-case type", "hard_case"),
        ("Writer", "writer"),
        ("Source", "source"),
    ):
        table(title, key, data)
    flags = Counter(h for r in everything for h in r.get("hazards", []))
    print("\nHazards: " + ", ".join(f"{k} {v}" for k, v in flags.most_common()))
    vulnerable = sum(bool(r.get("vulnerability")) for r in everything)
    print(f"Vulnerability disclosed: {vulnerable}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
