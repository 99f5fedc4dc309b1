"""Labelled examples: read JSON lines, infer the label space, turn evidence into sentence roles."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifier.labels import COMPLAINT, ROLES, LabelSpace, known_hazards
from classifier.text import Sentence, prepare, split_sentences


@dataclass
class Example:
    """One labelled message, with the annotations it has (None when not annotated)."""

    text: str
    label: str
    id: str = ""
    channel: str | None = None
    stage: int | None = None
    hazards: list[str] | None = None
    vulnerability: bool | None = None
    definition: dict[str, list[str]] | None = None
    evidence: dict[str, list[str]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> Example:
        """Build from one JSON object; unknown keys are kept in `extra`."""
        known = {
            "text", "label", "id", "channel", "stage", "hazards",
            "vulnerability", "definition", "evidence",
        }  # fmt: skip
        return cls(
            text=str(rec["text"]),
            label=str(rec["label"]),
            id=str(rec.get("id", "")),
            channel=rec.get("channel"),
            stage=rec.get("stage"),
            hazards=list(rec["hazards"]) if isinstance(rec.get("hazards"), list) else None,
            vulnerability=rec.get("vulnerability")
            if isinstance(rec.get("vulnerability"), bool)
            else None,
            definition=rec.get("definition") if isinstance(rec.get("definition"), dict) else None,
            evidence=rec.get("evidence") if isinstance(rec.get("evidence"), dict) else None,
            extra={k: v for k, v in rec.items() if k not in known},
        )


def data_files(path: Path, *, skip_dirs: Iterable[str] = ()) -> list[Path]:
    """A .jsonl file, or every .jsonl below a folder (sorted), leaving out `skip_dirs` folders."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(f"no such file or folder: {path}")
    skip = set(skip_dirs)
    return [
        f
        for f in sorted(path.rglob("*.jsonl"))
        if not skip.intersection(part for part in f.relative_to(path).parent.parts)
    ]


def read_examples(files: Sequence[Path]) -> list[Example]:
    """Every labelled line of the files; a line without text or label is an error."""
    examples: list[Example] = []
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{f}:{n}: not JSON ({exc})") from exc
            if not isinstance(rec, dict) or "text" not in rec or "label" not in rec:
                raise ValueError(f"{f}:{n}: each line needs 'text' and 'label'")
            examples.append(Example.from_record(rec))
    return examples


def data_hash(files: Sequence[Path]) -> str:
    """SHA-256 over the files' names and bytes, so a model folder says what it learnt from."""
    digest = hashlib.sha256()
    for f in sorted(files, key=lambda p: p.name):
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()


def infer_label_space(examples: Sequence[Example]) -> LabelSpace:
    """The labels the data holds and the heads it annotates enough to learn."""
    order = {label: i for i, label in enumerate(("complaint", "service_request", "other"))}
    labels = sorted({e.label for e in examples}, key=lambda x: (order.get(x, 99), x))
    if len(labels) < 2:
        raise ValueError(f"training needs at least two labels; the data holds {labels}")
    complaints = [e for e in examples if e.label == COMPLAINT]
    stages = {e.stage for e in complaints if e.stage in (1, 2)}
    seen_hazards = {h for e in examples for h in (e.hazards or [])}
    hazards = [h for h in known_hazards() if h in seen_hazards]
    hazards += sorted(seen_hazards - set(hazards))
    vulnerable = {e.vulnerability for e in examples if e.vulnerability is not None}
    return LabelSpace(
        labels=labels,
        hazards=hazards if any(e.hazards is not None for e in examples) else [],
        has_stage=stages == {1, 2},
        has_vulnerability=vulnerable == {True, False},
        has_roles=sum(1 for e in complaints if e.evidence) >= 10,
    )


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def evidence_spans(text: str, evidence: dict[str, list[str]] | None) -> list[tuple[str, int, int]]:
    """(role, start, end) for each evidence span found verbatim in `text`."""
    spans: list[tuple[str, int, int]] = []
    for part, role in (("issues", "issue"), ("outcomes", "outcome")):
        for span in (evidence or {}).get(part, []) or []:
            span = span.strip()
            at = text.find(span) if span else -1
            if at >= 0:
                spans.append((role, at, at + len(span)))
    return spans


def sentence_roles(text: str, evidence: dict[str, list[str]] | None) -> list[tuple[Sentence, int]]:
    """Each sentence of the prepared text with its role id (the role whose evidence covers it)."""
    sentences = split_sentences(text)
    spans = evidence_spans(text, evidence)
    out: list[tuple[Sentence, int]] = []
    for s in sentences:
        best, best_cover = ROLES.index("other"), 0
        for role, start, end in spans:
            cover = _overlap((s.start, s.end), (start, end))
            # Counts when evidence covers half the sentence, or half the evidence is in it.
            if cover >= 0.5 * min(s.end - s.start, end - start) and cover > best_cover:
                best, best_cover = ROLES.index(role), cover
        out.append((s, best))
    return out


def prepared(example: Example) -> str:
    """The text the model reads for this example."""
    return prepare(example.text)
