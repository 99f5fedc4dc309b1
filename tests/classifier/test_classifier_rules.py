"""The provision that decided a label, chosen by simple rules a team lead can follow."""

from __future__ import annotations

import pytest

from classifier.rules import decide, looks_non_english


@pytest.mark.parametrize(
    ("label", "stage", "text", "provision"),
    [
        ("complaint", 2, "I want my complaint escalated to stage 2.", "6.10"),
        ("complaint", 1, "I reported the leak twice and nobody came.", "1.5"),
        ("complaint", 1, "I am writing on behalf of my mother about the rude caretaker.", "3.6"),
        ("complaint", 1, "The caretaker swore at me.", "1.2"),
        ("service_request", None, "My boiler is broken, please fix it.", "1.4"),
        ("other", None, "Survey reply: I'd rate the service 2 out of 10.", "1.6"),
        ("other", None, "What time does the office open?", "1.2"),
    ],
)
def test_provisions(label: str, stage: int | None, text: str, provision: str) -> None:
    decision = decide(label, 0.9, stage, text, [text] if label == "complaint" else [])
    assert decision.provision == provision
    assert decision.reasons and all(isinstance(r, str) and r for r in decision.reasons)


def test_non_english_is_flagged_for_a_person() -> None:
    assert looks_non_english("Мой котёл сломался, пожалуйста, пришлите мастера")
    assert not looks_non_english("My boiler is broken")
    reasons = decide(
        "service_request", 0.6, None, "Мой котёл сломался, пришлите мастера", []
    ).reasons
    assert any("English" in r for r in reasons)
