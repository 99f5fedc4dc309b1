"""`intake import`: mbox, Maildir and .eml folders through the pipeline, idempotently."""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, col, select

from intake.cli import main
from intake.mail.importer import store_all, triage_all
from store.models import Case, Inbound, Label
from tests.mail.servers import email_bytes

MESSAGES = [
    email_bytes(
        message_id="<old1@example.org>",
        extra={"Date": "Tue, 04 Mar 2025 09:30:00 +0000"},
    ),
    email_bytes(
        message_id="<old2@example.org>",
        sender="Sam <sam@example.org>",
        subject="Tap",
        body="My kitchen tap is broken, please repair it.",
        extra={"Date": "Wed, 05 Mar 2025 14:00:00 +0000"},
    ),
    email_bytes(
        message_id="<old3@example.org>",
        sender="Ann <ann@example.org>",
        subject="Thanks",
        body="Thank you for the newsletter.",
        extra={"Date": "Thu, 06 Mar 2025 08:00:00 +0000"},
    ),
]


def make_mbox(path: Path) -> Path:
    box = mailbox.mbox(path)
    for raw in MESSAGES:
        box.add(raw)
    box.flush()
    box.close()
    return path


def make_maildir(path: Path) -> Path:
    box = mailbox.Maildir(path)
    for raw in MESSAGES:
        box.add(raw)
    return path


def make_eml_folder(path: Path) -> Path:
    path.mkdir()
    for index, raw in enumerate(MESSAGES):
        (path / f"{index}.eml").write_bytes(raw)
    return path


@pytest.mark.parametrize("make", [make_mbox, make_maildir, make_eml_folder])
def test_import_triages_history_by_its_dates_and_is_idempotent(
    make, ctx, engine, tmp_path, fake_classifier, monkeypatch
) -> None:
    batches: list[int] = []
    predict = fake_classifier.predict
    monkeypatch.setattr(
        fake_classifier,
        "predict",
        lambda texts, channels=None: batches.append(len(texts)) or predict(texts, channels),
    )
    source = make(tmp_path / "mail")
    result = store_all(ctx, source)
    assert (result.found, result.stored, result.already) == (3, 3, 0)
    triage_all(ctx, result)
    assert result.triaged == 3
    assert batches == [3]  # one model call for the whole chunk, no second look
    assert result.outcomes == {"complaint": 1, "service_request": 1, "other": 1}
    with Session(engine) as session:
        cases = session.exec(select(Case).order_by(col(Case.received_at))).all()
        assert [c.proposed_label for c in cases] == [
            Label.COMPLAINT,
            Label.SERVICE_REQUEST,
            Label.OTHER,
        ]
        # An import trusts the Date header: the audit sees when each email really came.
        assert cases[0].received_at == datetime(2025, 3, 4, 9, 30, tzinfo=UTC)

    again = store_all(ctx, source)
    assert (again.stored, again.already) == (0, 3)
    with Session(engine) as session:
        assert len(session.exec(select(Inbound)).all()) == 3
        assert len(session.exec(select(Case)).all()) == 3


def test_import_command_stores_with_progress_and_reruns_safely(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("INTAKE_DATABASE_URL", f"sqlite:///{tmp_path / 'intake.db'}")
    source = make_mbox(tmp_path / "old.mbox")
    runner = CliRunner()
    first = runner.invoke(main, ["import", str(source), "--no-triage"])
    assert first.exit_code == 0, first.output
    assert "Stored 3 new message(s); 0 were already imported." in first.output
    second = runner.invoke(main, ["import", str(source), "--no-triage", "--quiet"])
    assert "Stored 0 new message(s); 3 were already imported." in second.output


def test_import_refuses_what_is_not_a_mailbox_in_plain_english(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("INTAKE_DATABASE_URL", f"sqlite:///{tmp_path / 'intake.db'}")
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list")
    result = CliRunner().invoke(main, ["import", str(notes)])
    assert result.exit_code == 1
    assert "is not an mbox file" in result.output and "Traceback" not in result.output
