"""Which Code provision decided a label, and plain-English reasons a team lead can read."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from classifier.labels import COMPLAINT, OTHER, SERVICE_REQUEST

_EARLIER_REPORT = re.compile(
    r"\b(reported|rang|phoned|called|chased|chasing|told|promised|logged|raised|"
    r"booked|appointment|still|weeks?|months?|nobody|no one|no-one|never came|"
    r"didn'?t (?:turn up|come|show)|no show|waiting|waited|ignored|no reply|no response|"
    r"not been|hasn'?t been|haven'?t heard)\b",
    re.IGNORECASE,
)
_REPRESENTATIVE = re.compile(
    r"\b(on behalf of|behalf|my (?:mum|mother|dad|father|nan|gran|grandmother|grandfather|"
    r"son|daughter|brother|sister|client|constituent|tenant)|cllr|councillor|\bMP\b|"
    r"member of parliament|advocate|support worker|social worker|solicitors?|"
    r"constituent|carer for)\b",
    re.IGNORECASE,
)
_SURVEY = re.compile(
    r"\b(survey|questionnaire|feedback form|satisfaction|rate (?:us|our|the)|"
    r"out of (?:5|five|10|ten)|\d+\s*/\s*10|on a scale|star rating|how did we do|TSM)\b",
    re.IGNORECASE,
)
_COMPLAINT_WORD = re.compile(r"\bcomplain", re.IGNORECASE)
_NON_ENGLISH_SHARE = 0.5


@dataclass(frozen=True)
class Decision:
    """The provision that decided the label and the reasons behind it."""

    provision: str
    reasons: list[str]


def _quote(sentence: str, limit: int = 120) -> str:
    sentence = " ".join(sentence.split())
    return f"“{sentence[:limit]}{'…' if len(sentence) > limit else ''}”"


def looks_non_english(text: str) -> bool:
    """True when most letters are outside the Latin alphabet (the model reads English best)."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 8:
        return False
    latin = sum(1 for ch in letters if ch.isascii())
    return latin / len(letters) < _NON_ENGLISH_SHARE


def decide(
    label: str,
    confidence: float,
    stage: int | None,
    text: str,
    evidence: Sequence[str],
    channel: str | None = None,
) -> Decision:
    """Provision and reasons from the predicted label, the stage and simple cues in the text.

    The model decides the label; these rules only name the provision a person would cite
    and say, in plain words, why.
    """
    reasons: list[str] = []
    said = " ".join(evidence) if evidence else text
    if label == COMPLAINT:
        if stage == 2:
            provision = "6.10"
            reasons.append(
                "Asks to take an earlier complaint response further, so it is a stage 2 "
                "escalation request (6.10); no reason need be given (6.12)."
            )
        elif _REPRESENTATIVE.search(text) and channel not in ("slack", "staff_form"):
            provision = "3.6"
            reasons.append(
                "Someone is writing for the resident (a relative, representative, councillor "
                "or MP); their dissatisfaction is a complaint (1.3, 3.6)."
            )
        elif _EARLIER_REPORT.search(said):
            provision = "1.5"
            reasons.append(
                "Dissatisfied with how an earlier request or report was handled: raise a "
                "complaint, and the service request carries on alongside it (1.5)."
            )
        else:
            provision = "1.2"
            reasons.append(
                "Expresses dissatisfaction with the landlord's service, actions or lack of "
                "action (1.2)."
            )
        if not _COMPLAINT_WORD.search(text):
            reasons.append("The word “complaint” is not used; it does not need to be (1.3).")
        if evidence:
            reasons.append(
                "Dissatisfaction shown by: " + "; ".join(_quote(s) for s in evidence[:3])
            )
    elif label == SERVICE_REQUEST:
        provision = "1.4"
        reasons.append(
            "Asks the landlord to put something right, with no dissatisfaction about how the "
            "landlord has handled it: a service request, recorded and monitored (1.4)."
        )
        if _COMPLAINT_WORD.search(text):
            reasons.append(
                "Uses the word “complain” about the fault itself, not about the landlord's service."
            )
    elif label == OTHER:
        if _SURVEY.search(text):
            provision = "1.6"
            reasons.append(
                "Reads as a survey or feedback reply: not a complaint, but the resident should be "
                "told how to complain if they wish (1.6)."
            )
        else:
            provision = "1.2"
            reasons.append(
                "No dissatisfaction with the landlord's service and nothing to put right: an "
                "enquiry, thanks, auto-reply or message not about the landlord (1.2, 1.4)."
            )
    else:
        provision = ""
        reasons.append(f"Predicted “{label}” by the organisation's own model.")
    reasons.append(f"Model confidence {confidence:.0%}.")
    if not text.strip():
        reasons.append("The message has no text; a person should check the original.")
    elif looks_non_english(text):
        reasons.append("The message may not be in English; a person should check it.")
    return Decision(provision, reasons)
