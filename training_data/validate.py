"""Check labelled JSON-lines files against the training-data schema and print counts."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

# The vocabulary is the classifier's own (run from a checkout without installing it too).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from classifier.prediction import HAZARDS as HAZARD_NAMES
from classifier.prediction import LABELS as LABEL_NAMES

LABELS = set(LABEL_NAMES)
CHANNELS = {"email", "chat", "slack", "staff_form"}
HAZARDS = set(HAZARD_NAMES)
HARD_CASES = {
    "polite_complaint",
    "angry_service_request",
    "missed_appointment_in_passing",
    "contractor_complaint",
    "staff_attitude",
    "poor_communication",
    "delay",
    "broken_promise",
    "wrong_information",
    "representative",
    "new_repair_plus_old_dissatisfaction",
    "noise_service_request",
    "noise_complaint",
    "survey_reply",
    "complain_word_no_dissatisfaction",
    "sarcasm",
    "compensation_demand",
    "escalation_stage2",
    "over_12_months",
    "legal_action",
    "damp_mould",
    "vulnerable_resident",
    "not_about_landlord",
    "compliment_with_aside",
    "auto_reply_or_spam",
}
PROVISIONS = {"1.2", "1.3", "1.4", "1.5", "1.6", "2.2", "2.3", "3.6", "5.6", "6.8", "6.10", "6.12"}
KEYS = {
    "id",
    "text",
    "channel",
    "label",
    "stage",
    "hazards",
    "vulnerability",
    "definition",
    "evidence",
    "provision",
    "hard_case",
    "source",
    "writer",
    # Round 4's contrastive sets: messages written as siblings share one value.
    "set",
    # Added by `intake export-training` for reviewers of a landlord's confirmed cases.
    "proposed_label",
    "overridden",
    "model_version",
}


def check_record(rec: dict, where: str) -> list[str]:
    """Return the problems with one record (empty when it is valid)."""
    errors: list[str] = []
    missing = {"id", "text", "channel", "label"} - rec.keys()
    if missing:
        return [f"{where}: missing keys {sorted(missing)}"]
    unknown = rec.keys() - KEYS
    if unknown:
        errors.append(f"{where}: unknown keys {sorted(unknown)}")
    if not isinstance(rec["text"], str) or not rec["text"].strip():
        errors.append(f"{where}: empty text")
    if rec["channel"] not in CHANNELS:
        errors.append(f"{where}: channel {rec['channel']!r} not in {sorted(CHANNELS)}")
    label = rec["label"]
    if label not in LABELS:
        errors.append(f"{where}: label {label!r}")
    stage = rec.get("stage")
    if label == "complaint" and stage not in (1, 2):
        errors.append(f"{where}: a complaint needs stage 1 or 2")
    if label != "complaint" and stage is not None:
        errors.append(f"{where}: stage must be null unless label is complaint")
    bad_hazards = set(rec.get("hazards", [])) - HAZARDS
    if bad_hazards:
        errors.append(f"{where}: unknown hazards {sorted(bad_hazards)}")
    if not isinstance(rec.get("vulnerability", False), bool):
        errors.append(f"{where}: vulnerability must be true or false")
    definition = rec.get("definition")
    if label != "complaint" and definition is not None:
        errors.append(f"{where}: definition must be null unless label is complaint")
    if definition is not None:
        if set(definition) != {"issues", "outcomes"}:
            errors.append(f"{where}: definition keys must be issues and outcomes")
        elif not definition["issues"]:
            errors.append(f"{where}: a definition needs at least one issue")
        evidence = rec.get("evidence")
        if evidence is not None:
            for part in ("issues", "outcomes"):
                spans = evidence.get(part, [])
                if len(spans) != len(definition.get(part, [])):
                    errors.append(f"{where}: evidence.{part} must align one-to-one with definition")
                for span in spans:
                    if span not in rec["text"]:
                        errors.append(f"{where}: evidence not verbatim in text: {span[:60]!r}")
    hard = rec.get("hard_case")
    if hard is not None and hard not in HARD_CASES:
        errors.append(f"{where}: hard_case {hard!r} not in the list")
    prov = rec.get("provision")
    if prov is not None and prov not in PROVISIONS:
        errors.append(f"{where}: provision {prov!r} not in {sorted(PROVISIONS)}")
    return errors


def main(paths: list[str]) -> int:
    """Validate every file given (or every .jsonl below training_data) and print counts."""
    files: list[Path] = []
    for p in paths or [str(Path(__file__).parent)]:
        path = Path(p)
        files.extend(sorted(path.rglob("*.jsonl")) if path.is_dir() else [path])
    errors: list[str] = []
    ids: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    hard = 0
    total = 0
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{f.name}:{n}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: not JSON ({exc})")
                continue
            errors.extend(check_record(rec, where))
            ids[str(rec.get("id"))] += 1
            labels[str(rec.get("label"))] += 1
            channels[str(rec.get("channel"))] += 1
            hard += rec.get("hard_case") is not None
            total += 1
    errors.extend(f"duplicate id {i!r} ({c} times)" for i, c in ids.items() if c > 1)
    for e in errors[:200]:
        print(e)
    print(f"{total} records, {hard} hard cases; labels {dict(labels)}; channels {dict(channels)}")
    print(f"{len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
