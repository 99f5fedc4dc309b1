"""Definitions are drafted in the third person from the resident's own sentences."""

from __future__ import annotations

from classifier.definition import (
    NO_OUTCOME_QUESTION,
    draft_definition,
    phrase_issue,
    phrase_outcome,
    third_person,
)
from classifier.text import split_sentences


def test_pronouns_are_rewritten() -> None:
    assert third_person("I reported my boiler twice and you did nothing") == (
        "they reported their boiler twice and the landlord did nothing"
    )
    assert third_person("I was told we'd get a visit") == "they were told they would get a visit"


def test_issue_and_outcome_phrases() -> None:
    assert phrase_issue("I reported my boiler twice and nobody came.") == (
        "Resident says they reported their boiler twice and nobody came."
    )
    assert phrase_outcome("I would like an apology for the way I was spoken to.") == (
        "Wants an apology for the way they were spoken to"
    )
    assert (
        phrase_outcome("Could someone call me back, please?")
        == "Wants the landlord to call them back"
    )
    # Staff notes are already third person: kept as written.
    assert (
        phrase_issue("T/ says operative was rude.", "staff_form") == "T/ says operative was rude."
    )


def test_no_outcome_means_a_clarification_question() -> None:
    sentences = split_sentences("Nobody came on Tuesday. I waited in all day.")
    d = draft_definition(sentences, [[0.1, 0.8, 0.1], [0.3, 0.6, 0.1]])
    assert len(d.issues) == 2 and d.outcomes == []
    assert d.clarifications == [NO_OUTCOME_QUESTION]
    assert d.issue_evidence == ["Nobody came on Tuesday.", "I waited in all day."]


def test_a_complaint_always_has_an_issue() -> None:
    sentences = split_sentences("Hello. Fix it now.")
    d = draft_definition(sentences, [[0.9, 0.05, 0.05], [0.3, 0.2, 0.5]])
    assert d.issues and d.issue_evidence[0] in {"Hello.", "Fix it now."}


def test_every_drafted_word_comes_from_the_message() -> None:
    text = "The plumber left a puddle on my floor. I want the floor dried and an apology."
    d = draft_definition(split_sentences(text), [[0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])
    added = {"resident", "says", "wants", "they", "their", "them", "the", "landlord", "to", "asks:"}
    for phrase in d.issues + d.outcomes:
        for word in phrase.lower().strip(".").split():
            assert word in text.lower() or word in added, word
