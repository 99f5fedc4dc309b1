"""Training-time surface variation: the words stay, the evidence still lines up."""

from __future__ import annotations

import random

import pytest

from classifier.augment import CHANGES, vary
from classifier.data import evidence_spans

TEXT = (
    "Subject: Visit on Tuesday\n\nDear Sir or Madam,\n\nI was told a surveyor would call on "
    "Tuesday about the crack above my kitchen window. Nobody came and nobody phoned. Could "
    "someone explain what happened and rebook the visit?\n\nMany thanks,\nGwen Pritchard"
)
EVIDENCE = {
    "issues": ["Nobody came and nobody phoned."],
    "outcomes": ["Could someone explain what happened and rebook the visit?"],
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_each_change_keeps_the_evidence_in_line(name: str) -> None:
    for seed in range(20):
        text, evidence = CHANGES[name](TEXT, EVIDENCE, random.Random(seed))
        assert len(evidence_spans(text, evidence)) == 2, (name, seed, text)
        assert "surveyor" in text.lower() or "surveyo" in text.lower()


def test_changes_do_what_they_say() -> None:
    rng = random.Random(0)
    assert CHANGES["lower_case"](TEXT, None, rng)[0] == TEXT.lower()
    assert not any(c in CHANGES["no_punctuation"](TEXT, None, rng)[0] for c in ".,?:")
    plain = CHANGES["no_greeting_or_sign_off"](TEXT, None, rng)[0]
    assert "Dear" not in plain and "Gwen" not in plain and plain.startswith("Subject:")
    assert not CHANGES["no_subject"](TEXT, None, rng)[0].startswith("Subject")
    assert CHANGES["no_subject"]("Subject: hi", None, rng)[0] == "Subject: hi"  # nothing left


def test_vary_is_reproducible_and_keeps_none_evidence() -> None:
    a = vary(TEXT, EVIDENCE, random.Random(5))
    assert a == vary(TEXT, EVIDENCE, random.Random(5))
    assert vary(TEXT, None, random.Random(5))[1] is None
