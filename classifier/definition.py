"""Draft the complaint definition (Code 5.6) from the sentences marked as issue or outcome."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from classifier.prediction import Definition
from classifier.text import Sentence

NO_OUTCOME_QUESTION = "What outcome is the resident seeking? (Code 5.6)"
MAX_WORDS = 40
STAFF_CHANNELS = {"slack", "staff_form"}

# First person -> third person. "they" avoids verb agreement in most sentences; the few
# verbs that still disagree are fixed after ("they was" -> "they were").
_PRONOUNS: tuple[tuple[str, str], ...] = (
    (r"\bI'm\b|\bI am\b", "they are"),
    (r"\bI've\b", "they have"),
    (r"\bI'd\b", "they would"),
    (r"\bI'll\b", "they will"),
    (r"\bI\b", "they"),
    (r"\bmyself\b", "themselves"),
    (r"\bmine\b", "theirs"),
    (r"\bmy\b", "their"),
    (r"\bme\b", "them"),
    (r"\bwe're\b|\bwe are\b", "they are"),
    (r"\bwe've\b", "they have"),
    (r"\bwe'd\b", "they would"),
    (r"\bwe'll\b", "they will"),
    (r"\bwe\b", "they"),
    (r"\bourselves\b", "themselves"),
    (r"\bours\b", "theirs"),
    (r"\bour\b", "their"),
    (r"\bus\b", "them"),
    (r"\byourselves\b", "the landlord"),
    (r"\byou've\b", "the landlord has"),
    (r"\byou're\b|\byou are\b", "the landlord is"),
    (r"\byou'll\b", "the landlord will"),
    (r"\byours\b", "the landlord's"),
    (r"\byour\b", "the landlord's"),
    (r"\byou\b", "the landlord"),
)
_AGREEMENT: tuple[tuple[str, str], ...] = (
    (r"\bthey was\b", "they were"),
    (r"\bthey wasn't\b", "they weren't"),
    (r"\bthe landlord have\b", "the landlord has"),
    (r"\bthe landlord haven't\b", "the landlord hasn't"),
    (r"\bthe landlord don't\b", "the landlord doesn't"),
    (r"\bthe landlord were\b", "the landlord was"),
    (r"\bthe landlord weren't\b", "the landlord wasn't"),
)
_WANTS = re.compile(
    r"^(?:and\s+|so\s+|but\s+)?(?:I|we)\s+(?:would\s+(?:really\s+)?like|'d\s+like|'d like|want|"
    r"need|expect|demand|ask for|am asking for|'m asking for|request|would appreciate|"
    r"would be grateful for)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    r"^(?:please\s+)?(?:can|could|will|would)\s+(?:you|someone|somebody|the council|"
    r"your team|a manager)\s+(?:please\s+)?(?P<rest>.+?)\??$",
    re.IGNORECASE,
)
_PLEASE = re.compile(r"^(?:so\s+|and\s+)?please\s+(?P<rest>.+)$", re.IGNORECASE)
_TRAILING_PLEASE = re.compile(r",?\s*(?:please|pls|plz)\s*$", re.IGNORECASE)
_LEADING = re.compile(
    r"^(?:subject:\s*|re:\s*|fw:\s*|fwd:\s*|hi\b,?\s*|hello\b,?\s*|dear [^,]+,\s*)+", re.I
)


def third_person(sentence: str) -> str:
    """Rewrite a resident's first-person sentence in the third person, changing nothing else."""
    out = sentence.replace("’", "'")
    for pattern, repl in _PRONOUNS:
        out = re.sub(pattern, _recase(repl), out, flags=re.IGNORECASE)
    for pattern, repl in _AGREEMENT:
        out = re.sub(pattern, repl, out, flags=re.IGNORECASE)
    return out


def _recase(repl: str) -> Callable[[re.Match[str]], str]:
    return lambda m: _keep_case(m.group(0), repl)


def _keep_case(found: str, repl: str) -> str:
    # "I" is always capitalised, so only a sentence-initial word keeps its capital.
    if found[:1].isupper() and found.upper() != "I" and not found.upper().startswith("I'"):
        return repl[:1].upper() + repl[1:]
    return repl


def _tidy(text: str) -> str:
    text = _LEADING.sub("", text.strip()).strip(" -–—:;,")
    words = text.split()
    if len(words) > MAX_WORDS:
        text = " ".join(words[:MAX_WORDS]) + " …"
    return text.rstrip(" ,;") if text else text


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def phrase_issue(sentence: str, channel: str | None = None) -> str:
    """An issue as a short third-person phrase, faithful to the sentence."""
    text = _tidy(sentence)
    if not text:
        return text
    if channel in STAFF_CHANNELS:
        # Staff already write about the resident in the third person.
        return text[0].upper() + text[1:]
    return "Resident says " + _lower_first(third_person(text))


def phrase_outcome(sentence: str, channel: str | None = None) -> str:
    """An outcome as a short phrase starting 'Wants ...', faithful to the sentence."""
    text = _TRAILING_PLEASE.sub("", _tidy(sentence).rstrip(".!? "))
    if not text:
        return text
    if channel not in STAFF_CHANNELS:
        wants = _WANTS.match(text)
        if wants:
            return "Wants " + third_person(wants.group("rest")).strip()
        request = _REQUEST.match(text) or _PLEASE.match(text)
        if request:
            return "Wants the landlord to " + third_person(request.group("rest")).strip()
        return "Resident asks: " + _lower_first(third_person(text))
    return text[0].upper() + text[1:]


def draft_definition(
    sentences: Sequence[Sentence],
    role_probs: Sequence[Sequence[float]],
    channel: str | None = None,
    *,
    threshold: float = 0.5,
    max_items: int = 4,
) -> Definition:
    """Issues and outcomes from the sentences most likely to state them, in message order.

    `role_probs[i]` are the probabilities of (other, issue, outcome) for `sentences[i]`.
    A complaint always gets at least one issue: the likeliest issue sentence.
    """
    issues: list[tuple[int, float]] = []
    outcomes: list[tuple[int, float]] = []
    for i, probs in enumerate(role_probs):
        _, p_issue, p_outcome = probs[0], probs[1], probs[2]
        if p_issue >= threshold and p_issue >= p_outcome:
            issues.append((i, p_issue))
        elif p_outcome >= threshold:
            outcomes.append((i, p_outcome))
    if not issues and sentences:
        best = max(range(len(role_probs)), key=lambda i: role_probs[i][1])
        issues.append((best, role_probs[best][1]))
        outcomes = [o for o in outcomes if o[0] != best]
    issues = sorted(sorted(issues, key=lambda x: -x[1])[:max_items])
    outcomes = sorted(sorted(outcomes, key=lambda x: -x[1])[:max_items])
    issue_pairs = [(phrase_issue(sentences[i].text, channel), sentences[i].text) for i, _ in issues]
    outcome_pairs = [
        (phrase_outcome(sentences[i].text, channel), sentences[i].text) for i, _ in outcomes
    ]
    issue_pairs = [p for p in issue_pairs if p[0]]
    outcome_pairs = [p for p in outcome_pairs if p[0]]
    return Definition(
        issues=[p for p, _ in issue_pairs],
        outcomes=[p for p, _ in outcome_pairs],
        issue_evidence=[s for _, s in issue_pairs],
        outcome_evidence=[s for _, s in outcome_pairs],
        clarifications=[] if outcome_pairs else [NO_OUTCOME_QUESTION],
    )
