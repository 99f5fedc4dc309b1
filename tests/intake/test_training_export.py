"""`intake export-training`: confirmed cases become records that `intake train` reads unchanged."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlmodel import Session

from classifier.data import read_examples
from intake.cli import main
from intake.inbound import InboundMessage
from intake.submit import submit
from intake.training_export import (
    ExportCounts,
    iter_training_records,
    local_day_bounds,
    training_channel,
)
from intake.worker import drain
from intake.workflow import confirm
from store.models import Case, Channel, Label, Role
from tests.intake.helpers import staff
from training_data.validate import check_record

REVIEW_FIELDS = ("proposed_label", "overridden", "model_version")
COMPLAINT = "I reported my boiler twice and nobody came. I am unhappy. Please fix it."


@pytest.fixture
def lead(make_user):  # type: ignore[no-untyped-def]
    return make_user("lead@landlord.example", Role.TEAM_LEAD)


def log(engine, ctx, text: str, channel: str = "phone", **kwargs: Any) -> int:  # type: ignore[no-untyped-def]
    """Submit a message as a connector would and triage it with the fake classifier."""
    with Session(engine) as session:
        _, case = submit(
            session,
            ctx,
            InboundMessage(channel=channel, text=text, **kwargs),
            open_new_case=kwargs.get("case_id") is None,
        )
        session.commit()
        case_id = case.id if case is not None else kwargs["case_id"]
    drain(ctx)
    return int(case_id)


def decide(engine, ctx, lead, case_id: int, label: Label, **kwargs: Any) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        confirm(session, ctx, case, staff(lead), label=label, **kwargs)
        session.commit()


def export(engine, **kwargs: Any) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    return {r["id"]: r for r in iter_training_records(engine, **kwargs)}


def test_confirmed_cases_only_with_the_confirmed_label_and_the_classified_text(
    engine, ctx, lead
) -> None:
    complaint = log(engine, ctx, COMPLAINT)
    email = log(
        engine,
        ctx,
        "My boiler is broken, please repair it.",
        channel="email",
        subject="Boiler",
        quoted_text="> On Monday you wrote: we will come on Tuesday",
        signature="Mrs K Patel\nFlat 4",
    )
    waiting = log(engine, ctx, "My fence is broken, please repair it")
    decide(engine, ctx, lead, complaint, Label.COMPLAINT)
    decide(engine, ctx, lead, email, Label.SERVICE_REQUEST)
    counts = ExportCounts()
    # One case per batch: paging must neither repeat nor lose a case.
    records = export(engine, counts=counts, batch_size=1)
    assert sorted(records) == ["case-INT-000001", "case-INT-000002"]
    assert f"case-INT-{waiting:06d}" not in records  # never confirmed: never exported
    assert (counts.cases, counts.overrides, counts.skipped_empty) == (2, 0, 0)
    first = records["case-INT-000001"]
    assert first == {
        "id": "case-INT-000001",
        "text": COMPLAINT,
        "channel": "staff_form",  # a phone call is a member of staff's note
        "label": "complaint",
        "stage": 1,
        "hazards": [],
        "vulnerability": False,
        "definition": {
            "issues": ["I reported my boiler twice and nobody came"],
            "outcomes": ["Wants it fixed"],
        },
        "source": "confirmed_case",
        "proposed_label": "complaint",
        "overridden": False,
        "model_version": "fake-1",
    }
    second = records["case-INT-000002"]
    # The subject and the new words, as the classify step read them; no quote, no signature.
    assert second["text"] == "Boiler\n\nMy boiler is broken, please repair it."
    assert (second["channel"], second["label"], second["stage"]) == (
        "email",
        "service_request",
        None,
    )
    assert second["definition"] is None


def test_an_override_keeps_the_proposal_and_can_be_exported_alone(engine, ctx, lead) -> None:
    agreed = log(engine, ctx, COMPLAINT)
    overridden = log(engine, ctx, "My fence is broken and there is a leak, please repair it")
    decide(engine, ctx, lead, agreed, Label.COMPLAINT)
    decide(
        engine,
        ctx,
        lead,
        overridden,
        Label.COMPLAINT,
        definition={"issues": ["Fence still broken after a promised repair"], "outcomes": []},
    )
    record = export(engine)[f"case-INT-{overridden:06d}"]
    assert record["label"] == "complaint" and record["proposed_label"] == "service_request"
    assert record["overridden"] is True and record["stage"] == 1
    assert record["hazards"] == ["water_leak"]
    assert record["definition"] == {
        "issues": ["Fence still broken after a promised repair"],
        "outcomes": [],
    }
    counts = ExportCounts()
    only = export(engine, overrides_only=True, counts=counts)
    assert list(only) == [f"case-INT-{overridden:06d}"]
    assert (counts.cases, counts.overrides) == (1, 1)


def test_since_and_until_are_the_local_days_a_person_confirmed(engine, ctx, lead, clock) -> None:
    ids = [log(engine, ctx, f"Message {n}: the gate is broken, please repair it") for n in range(3)]
    for case_id in ids:  # confirmed on Mon 16, Tue 17 and Wed 18 November 2026
        decide(engine, ctx, lead, case_id, Label.SERVICE_REQUEST)
        clock.advance(days=1)

    def between(since: date | None, until: date | None) -> list[str]:
        start, end = local_day_bounds(since, until, ctx.settings.timezone)
        return sorted(export(engine, confirmed_from=start, confirmed_before=end))

    refs = [f"case-INT-{i:06d}" for i in ids]
    assert between(date(2026, 11, 17), None) == refs[1:]
    assert between(None, date(2026, 11, 17)) == refs[:2]
    assert between(date(2026, 11, 17), date(2026, 11, 17)) == refs[1:2]
    assert between(date(2026, 11, 19), None) == []


def test_a_chat_exports_its_account_so_far_and_an_email_its_opening_message(
    engine, ctx, lead
) -> None:
    first_turn = "My boiler is broken"
    chat = log(engine, ctx, first_turn, channel="chat", meta={"classify_text": first_turn})
    account = "My boiler is broken. I reported it twice and nobody came."
    log(
        engine,
        ctx,
        "I reported it twice and nobody came.",
        channel="chat",
        case_id=chat,
        meta={"classify_text": account},
    )
    email = log(engine, ctx, COMPLAINT, channel="email", subject="Boiler")
    log(engine, ctx, "Thanks", channel="email", subject="Re: Boiler", case_id=email)
    decide(engine, ctx, lead, chat, Label.COMPLAINT)
    decide(engine, ctx, lead, email, Label.COMPLAINT)
    records = export(engine)
    assert records[f"case-INT-{chat:06d}"]["text"] == account
    assert records[f"case-INT-{chat:06d}"]["channel"] == "chat"
    opening = records[f"case-INT-{email:06d}"]
    # The chaser ("Thanks", proposed as other) neither replaces the text nor fakes an override.
    assert opening["text"] == f"Boiler\n\n{COMPLAINT}"
    assert (opening["proposed_label"], opening["overridden"]) == ("complaint", False)


def test_a_case_with_no_text_is_left_out(engine, ctx, lead) -> None:
    empty = log(engine, ctx, "   ")
    decide(engine, ctx, lead, empty, Label.OTHER)
    counts = ExportCounts()
    assert export(engine, counts=counts) == {}
    assert (counts.cases, counts.skipped_empty) == (0, 1)


def test_every_channel_maps_to_a_training_channel() -> None:
    assert {training_channel(c) for c in Channel} == {"email", "chat", "slack", "staff_form"}
    assert training_channel(Channel.PHONE) == "staff_form"


def _exported_file(engine, ctx, lead, database_url: str, tmp_path: Path, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    """Three labels' worth of confirmed cases, written by the real command to a file."""
    texts = [
        (COMPLAINT, Label.COMPLAINT),
        ("Nobody came to fix the leak. I am not happy.", Label.COMPLAINT),
        ("My fence is broken, please repair it", Label.SERVICE_REQUEST),
        ("There is mould in the bathroom, please fix it", Label.SERVICE_REQUEST),
        ("Thank you for the newsletter", Label.OTHER),
        ("Survey: the service was fine", Label.OTHER),
        ("The gate is broken again", Label.COMPLAINT),  # an override
    ]
    for text, label in texts:
        definition = {"issues": ["Gate broken again"], "outcomes": []}
        decide(
            engine,
            ctx,
            lead,
            log(engine, ctx, text),
            label,
            **({"definition": definition} if "gate" in text else {}),
        )
    log(engine, ctx, "Still waiting: nobody came.")  # not confirmed
    monkeypatch.setenv("INTAKE_DATABASE_URL", database_url)
    monkeypatch.setenv("INTAKE_DATA_DIR", str(tmp_path))
    out = tmp_path / "confirmed.jsonl"
    result = CliRunner().invoke(main, ["export-training", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "residents' own messages" in result.stderr
    assert "Exported 7 confirmed cases (1 overridden)" in result.stderr
    return out


def test_the_command_writes_what_intake_train_reads_unchanged(
    engine, ctx, lead, database_url, tmp_path, monkeypatch
) -> None:
    out = _exported_file(engine, ctx, lead, database_url, tmp_path, monkeypatch)
    examples = read_examples([out])  # the reader `intake train --data` uses
    assert len(examples) == 7 and {e.label for e in examples} == {
        "complaint",
        "service_request",
        "other",
    }
    assert all(e.channel == "staff_form" and e.stage in (None, 1) for e in examples)
    assert {k for e in examples for k in e.extra} == {"source", *REVIEW_FIELDS}
    for n, line in enumerate(out.read_text(encoding="utf-8").splitlines(), 1):
        record = json.loads(line)
        # The training data's schema check accepts the record, review fields included.
        assert check_record(record, f"line {n}") == []

    # Standard output carries the JSON lines alone; the warning and summary go to stderr.
    piped = CliRunner().invoke(main, ["export-training", "--out", "-", "--overrides-only"])
    assert piped.exit_code == 0, piped.output
    [line] = piped.stdout.splitlines()
    assert json.loads(line)["overridden"] is True
    assert "Exported 1 confirmed case (1 overridden)" in piped.stderr
    bad = CliRunner().invoke(main, ["export-training", "--since", "16/11/2026"])
    assert bad.exit_code == 2 and "not a date" in bad.output


@pytest.mark.slow
def test_the_export_trains_a_model(engine, ctx, lead, database_url, tmp_path, monkeypatch) -> None:
    from classifier.train import TrainingArguments, train

    out = _exported_file(engine, ctx, lead, database_url, tmp_path, monkeypatch)
    args = TrainingArguments(
        data=out, out=tmp_path / "model", epochs=1, max_steps=2, batch_size=4,
        max_length=32, num_threads=1,
    )  # fmt: skip
    metrics = train(args, log=lambda _: None)
    assert metrics["history"]
    meta = json.loads((tmp_path / "model" / "intake_model.json").read_text())
    assert meta["label_space"]["labels"] == ["complaint", "service_request", "other"]
