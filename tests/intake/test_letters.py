"""Letters (2.4, 5.6, 6.5, 6.9, 6.19): every template renders, with the Ombudsman's details."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from intake.letters import LETTERS, LetterWriter, long_date
from intake.settings import Ombudsman, Settings
from store.models import Case, Channel

CONTEXT = {
    "respond_by": "Wednesday 2 December 2026",
    "reason": "We are waiting for a surveyor.",
    "new_date": "Monday 14 December 2026",
    "old_date": "Wednesday 2 December 2026",
    "agreed_with_resident": True,
    "ground_text": "legal proceedings have started",
    "decision_text": "We have upheld your complaint.",
    "reasons": "The appointment was missed.",
    "remedy": "An apology.",
    "compensation": "£50.00",
    "actions": [{"description": "Fit a new boiler", "due_on": "Friday 11 December 2026"}],
}


def make_case() -> Case:
    return Case(
        id=42,
        channel=Channel.EMAIL,
        received_at=datetime(2026, 11, 16, 10, tzinfo=UTC),
        stage=1,
        definition={
            "issues": ["Boiler not fixed"],
            "outcomes": ["Boiler fixed"],
            "not_responsible": ["Gas supply (the network operator)"],
        },
    )


@pytest.mark.parametrize("kind", LETTERS)
def test_every_letter_renders_and_carries_the_ombudsman(tmp_path, kind: str) -> None:
    writer = LetterWriter(Settings(data_dir=tmp_path))
    letter = writer.render(
        kind, {**writer.base_context(make_case(), "Mrs Jones", "Sam Lead"), **CONTEXT}
    )
    assert letter.subject and "Dear Mrs Jones" in letter.body
    assert "0300 111 3000" in letter.body and "www.housing-ombudsman.org.uk" in letter.body


def test_acknowledgement_states_definition_responsibility_and_deadline(tmp_path) -> None:
    """5.6/5.7: our understanding, the outcomes, what we are and are not responsible for."""
    writer = LetterWriter(Settings(data_dir=tmp_path))
    letter = writer.render(
        "acknowledgement", {**writer.base_context(make_case(), "Mrs Jones", ""), **CONTEXT}
    )
    for text in (
        "INT-000042",
        "stage 1",
        "Boiler not fixed",
        "Boiler fixed",
        "Gas supply",
        "Wednesday 2 December 2026",
        "did not mean to make a complaint",
    ):
        assert text in letter.body


def test_ombudsman_details_are_configuration(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, ombudsman=Ombudsman(telephone="0300 000 0001"))
    writer = LetterWriter(settings)
    letter = writer.render("refusal", {**writer.base_context(make_case(), "", ""), **CONTEXT})
    assert "0300 000 0001" in letter.body


def test_landlord_can_override_a_template_without_code(tmp_path) -> None:
    custom = tmp_path / "templates" / "letters"
    custom.mkdir(parents=True)
    (custom / "how_to_complain.txt.j2").write_text(
        "Subject: Hello {{ reference }}\n\nOur own words.\n"
    )
    writer = LetterWriter(Settings(data_dir=tmp_path))
    letter = writer.render("how_to_complain", writer.base_context(make_case(), "", ""))
    assert letter.subject == "Hello INT-000042" and letter.body == "Our own words.\n"


def test_long_date() -> None:
    assert long_date(datetime(2027, 1, 5)) == "Tuesday 5 January 2027"
