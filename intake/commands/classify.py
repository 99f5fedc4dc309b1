"""`intake classify`: JSON lines of messages in, one prediction line out per message, in order."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

CHUNK = 256  # lines read before predicting; the classifier batches within a chunk by length


def _records(stream: IO[str]) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, record or None, error or None) for each non-blank input line."""
    for n, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield n, None, f"line {n}: not JSON ({exc.msg})"
            continue
        if not isinstance(rec, dict):
            yield n, None, f"line {n}: expected a JSON object"
        elif not isinstance(rec.get("text"), str):
            yield n, rec, f"line {n}: 'text' must be a string"
        elif rec.get("channel") is not None and not isinstance(rec.get("channel"), str):
            yield n, rec, f"line {n}: 'channel' must be a string"
        else:
            yield n, rec, None


@click.command()
@click.argument(
    "path", required=False, default="-", type=click.Path(allow_dash=True, dir_okay=False)
)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Model folder from `intake train` (default: INTAKE_MODEL_DIR, else the bundled model).",
)
@click.option(
    "--explain", is_flag=True, help="Also write reasons, evidence sentences and clarifications."
)
@click.option("--batch-size", type=click.IntRange(1, 512), default=None, help="Messages per batch.")
def classify(path: str, model_dir: Path | None, explain: bool, batch_size: int | None) -> None:
    """Classify JSON lines {"id", "text", "channel"?} from PATH (or stdin) as complaint,
    service request or other, with stage, hazards, vulnerability and a draft definition."""
    from classifier.model import DEFAULT_BATCH_SIZE, Classifier
    from intake.settings import load_settings

    settings = load_settings()
    if batch_size is None and "classify_batch_size" in settings.model_fields_set:
        batch_size = settings.classify_batch_size
    try:
        clf = Classifier.load(
            model_dir or settings.model_dir, batch_size=batch_size or DEFAULT_BATCH_SIZE
        )
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    errors = 0
    out: IO[str] = sys.stdout
    stream: IO[str] = (
        sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    )
    with stream:
        chunk: list[tuple[int, dict[str, Any] | None, str | None]] = []
        for item in _records(stream):
            chunk.append(item)
            if len(chunk) >= CHUNK:
                errors += _flush(clf, chunk, out, explain)
                chunk = []
        if chunk:
            errors += _flush(clf, chunk, out, explain)
    if errors:
        click.echo(f"{errors} line(s) could not be classified; see their 'error' key", err=True)
        sys.exit(2)


def _flush(
    clf: Any,
    chunk: list[tuple[int, dict[str, Any] | None, str | None]],
    out: IO[str],
    explain: bool,
) -> int:
    good = [(n, rec) for n, rec, err in chunk if err is None and rec is not None]
    preds = clf.predict([rec["text"] for _, rec in good], [rec.get("channel") for _, rec in good])
    by_line = {n: p for (n, _), p in zip(good, preds, strict=True)}
    errors = 0
    for n, rec, err in chunk:
        message_id = str(rec.get("id", n)) if rec is not None else str(n)
        if err is not None:
            errors += 1
            click.echo(err, err=True)
            out.write(json.dumps({"id": message_id, "error": err}) + "\n")
            continue
        pred = by_line[n]
        line = pred.to_contract(message_id)
        line["provision"] = pred.provision
        if explain:
            line["reasons"] = pred.reasons
            line["evidence"] = pred.evidence
            line["clarifications"] = pred.definition.clarifications if pred.definition else []
            line["model_version"] = pred.model_version
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    out.flush()
    return errors
