"""Metrics: label macro-F1 and recall, calibration error, flags, definition coverage."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from classifier.data import Example
from classifier.labels import COMPLAINT
from classifier.prediction import Prediction

_WORD = re.compile(r"[a-z0-9£']+")
# fmt: off
_STOP = frozenset((
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by",
    "from", "is", "was", "were", "be", "been", "it", "its", "this", "that", "they", "their",
    "them", "resident", "residents", "wants", "want", "says", "said", "has", "have", "had",
    "he", "she", "his", "her", "him", "i", "my", "me", "we", "our", "us", "you", "your",
    "landlord",
))
# fmt: on


def label_metrics(
    gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """Accuracy, macro-F1 and per-label precision, recall and F1, plus the confusion matrix."""
    per: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    confusion = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, pred, strict=True):
        if g in confusion and p in confusion[g]:
            confusion[g][p] += 1
    n = len(gold)
    return {
        "n": n,
        "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / n if n else 0.0,
        "macro_f1": float(np.mean([per[label]["f1"] for label in labels])) if labels else 0.0,
        "per_label": per,
        "confusion": confusion,
    }


def expected_calibration_error(probs: np.ndarray, gold: np.ndarray, bins: int = 10) -> float:
    """ECE of the top-label confidence: how far stated confidence is from observed accuracy."""
    if len(gold) == 0:
        return 0.0
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == gold
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for lo, hi in itertools.pairwise(edges):
        in_bin = (conf > lo) & (conf <= hi)
        if in_bin.any():
            total += in_bin.mean() * abs(conf[in_bin].mean() - correct[in_bin].mean())
    return float(total)


def binary_f1(gold: Sequence[bool], pred: Sequence[bool]) -> float:
    """F1 of the positive class."""
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if not g and p)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g and not p)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def flag_metrics(examples: Sequence[Example], preds: Sequence[Prediction]) -> dict[str, float]:
    """Stage accuracy on true complaints called complaints; hazard micro-F1; vulnerability F1."""
    out: dict[str, float] = {}
    staged = [
        (e.stage, p.stage)
        for e, p in zip(examples, preds, strict=True)
        if e.label == COMPLAINT and p.label == COMPLAINT and e.stage in (1, 2)
    ]
    if staged:
        out["stage_accuracy"] = sum(g == p for g, p in staged) / len(staged)
        gold2 = [g == 2 for g, _ in staged]
        out["stage2_f1"] = binary_f1(gold2, [p == 2 for _, p in staged])
    pairs = [
        (set(e.hazards), set(p.hazards))
        for e, p in zip(examples, preds, strict=True)
        if e.hazards is not None
    ]
    if pairs:
        tp = sum(len(g & p) for g, p in pairs)
        fp = sum(len(p - g) for g, p in pairs)
        fn = sum(len(g - p) for g, p in pairs)
        out["hazards_micro_f1"] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    vuln = [
        (e.vulnerability, p.vulnerability)
        for e, p in zip(examples, preds, strict=True)
        if e.vulnerability is not None
    ]
    if vuln:
        out["vulnerability_f1"] = binary_f1([bool(g) for g, _ in vuln], [p for _, p in vuln])
    return out


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def _span_covered(reference: str, drafts: Sequence[str]) -> bool:
    """A reference span is covered when one draft source sentence holds 60% of its words."""
    ref = _words(reference)
    if not ref:
        return False
    return any(len(ref & _words(d)) / len(ref) >= 0.6 for d in drafts)


def _phrase_covered(reference: str, drafts: Sequence[str]) -> bool:
    """A reference phrase is covered when half its content words appear in one drafted phrase."""
    ref = _words(reference)
    if not ref:
        return False
    return any(len(ref & _words(d)) / len(ref) >= 0.5 for d in drafts)


def definition_coverage(examples: Sequence[Example], preds: Sequence[Prediction]) -> dict[str, Any]:
    """Share of reference issues and outcomes the drafts cover, over annotated true complaints.

    Two measures: by source sentence (the reference's verbatim evidence against the sentences
    the draft came from, >= 60% of its content words in one drafted sentence), and by phrase
    (the reference phrase against the drafted phrases, >= 50% of its content words in one
    phrase). A complaint the model missed counts as covering nothing. `*_precision` is the
    other way round: the share of drafted items whose source sentence holds >= 60% of the
    content words of some reference evidence span of the same part.
    """
    counts = {k: 0 for k in ("issues", "outcomes", "issues_by_phrase", "outcomes_by_phrase")}
    covered = dict.fromkeys(counts, 0)
    drafted = {"issues": 0, "outcomes": 0}
    supported = {"issues": 0, "outcomes": 0}
    no_outcome_asked = no_outcome_total = n = 0
    for e, p in zip(examples, preds, strict=True):
        if e.label != COMPLAINT or not e.definition:
            continue
        n += 1
        d = p.definition
        for part in ("issues", "outcomes"):
            refs = e.definition.get(part, []) or []
            spans = (e.evidence or {}).get(part, []) or []
            evidence = (d.issue_evidence if part == "issues" else d.outcome_evidence) if d else []
            phrases = (d.issues if part == "issues" else d.outcomes) if d else []
            drafted[part] += len(evidence)
            supported[part] += sum(any(_span_covered(s, [ev]) for s in spans) for ev in evidence)
            if len(spans) == len(refs):
                counts[part] += len(spans)
                covered[part] += sum(_span_covered(s, evidence) for s in spans)
            counts[part + "_by_phrase"] += len(refs)
            covered[part + "_by_phrase"] += sum(_phrase_covered(r, phrases) for r in refs)
        if not e.definition.get("outcomes"):
            no_outcome_total += 1
            no_outcome_asked += bool(d and not d.outcomes and d.clarifications)
    result: dict[str, Any] = {"complaints": n}
    for key, total in counts.items():
        result[key] = {
            "covered": covered[key],
            "total": total,
            "share": covered[key] / total if total else 0.0,
        }
    for part in ("issues", "outcomes"):
        result[part + "_precision"] = {
            "supported": supported[part],
            "drafted": drafted[part],
            "share": supported[part] / drafted[part] if drafted[part] else 0.0,
        }
    result["no_outcome_question_asked"] = {
        "asked": no_outcome_asked,
        "total": no_outcome_total,
        "share": no_outcome_asked / no_outcome_total if no_outcome_total else 0.0,
    }
    return result


def evaluate_predictions(
    examples: Sequence[Example], preds: Sequence[Prediction], labels: Sequence[str]
) -> dict[str, Any]:
    """Every metric for one split."""
    gold = [e.label for e in examples]
    out = label_metrics(gold, [p.label for p in preds], labels)
    index = {label: i for i, label in enumerate(labels)}
    known = [i for i, g in enumerate(gold) if g in index]
    probs = np.array([[preds[i].scores.get(label, 0.0) for label in labels] for i in known])
    out["ece"] = (
        expected_calibration_error(probs, np.array([index[gold[i]] for i in known]))
        if known
        else 0.0
    )
    out["flags"] = flag_metrics(examples, preds)
    if COMPLAINT in labels:
        out["definitions"] = definition_coverage(examples, preds)
    return out
