"""Reading short chat answers: yes or no, a wish to complain, contact details, an outcome."""

from __future__ import annotations

import re

_YES = re.compile(
    r"^\W*(yes|yeah|yep|yup|aye|ok|okay|sure|correct|right|that'?s right|that is right|"
    r"please|go ahead|i do|i would|i want to|definitely|absolutely)\b",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^\W*(no|nope|nah|not really|not yet|wrong|that'?s wrong|that is wrong|incorrect|"
    r"i don'?t|i do not|none|nothing)\b",
    re.IGNORECASE,
)
_COMPLAIN = re.compile(
    r"\b(make|making|raise|raising|log|file|put in|lodge)\s+(a\s+)?(formal\s+)?complaint\b|"
    r"\bwant to complain\b|\bwish to complain\b|\bi'?d like to complain\b|\bcomplain\b",
    re.IGNORECASE,
)
_FOR_OTHER = re.compile(
    r"\b(on behalf of|for my|for someone|someone else|my (mum|mother|dad|father|son|daughter|"
    r"tenant|client|constituent|neighbour|brother|sister|husband|wife|partner|gran\w*))\b",
    re.IGNORECASE,
)
_HAS_REP = re.compile(r"\b(acting for me|on my behalf|represent(s|ing)? me|helping me)\b", re.I)
_OWN = re.compile(r"\b(my own|mine|myself|me|own home|my home|my flat|my house)\b", re.I)
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?:\+44\s?|\(?0)\d[\d\s()-]{8,14}\d")
# Tenancy references look like codes: letters and digits, no spaces, at least one digit.
TENANCY = re.compile(r"^(?=[A-Za-z0-9/-]*\d)[A-Za-z0-9/-]{4,20}$")
_SKIP = re.compile(
    r"^\W*(skip|i'?d rather not( say)?|rather not|prefer not( to say)?|n/?a)\W*$", re.IGNORECASE
)

# Verbs that start an instruction ("fix the boiler"), so the outcome reads "you to fix ...".
_VERBS = {
    "fix", "repair", "replace", "apologise", "apologize", "pay", "refund", "compensate",
    "send", "come", "sort", "remove", "clean", "change", "move", "install", "check", "give",
    "stop", "respond", "reply", "investigate", "look", "explain", "arrange", "visit", "make",
    "rehouse", "treat", "call", "contact", "reimburse", "waive", "update", "finish",
}  # fmt: skip
_WANTS = re.compile(
    r"^(i|we)\s+(would like|'d like|want|need|expect|am asking for|would appreciate)\b", re.I
)


def is_yes(text: str) -> bool:
    """A short agreement ("yes", "that's right")."""
    return bool(_YES.match(text)) and not is_no(text)


def is_no(text: str) -> bool:
    """A short refusal or correction ("no", "that's wrong")."""
    return bool(_NO.match(text))


_LEADING_NO = re.compile(
    r"^\W*(no|nope|not quite|not really)\b[\s,.!-]*((that'?s|it'?s|that is|it is)\s+)?"
    r"(not right|not it|wrong|incorrect)?[\s,.!-]*",
    re.IGNORECASE,
)


def without_no(text: str) -> str:
    """What is left of "No, that's wrong: ..." once the "no" is taken off."""
    return _LEADING_NO.sub("", text, count=1).strip()


def is_skip(text: str) -> bool:
    """The resident would rather not answer."""
    return bool(_SKIP.match(text))


def wants_to_complain(text: str) -> bool:
    """The resident asks to complain in so many words (Code 1.3 needs no such words)."""
    return bool(_COMPLAIN.search(text))


def acting_for(text: str) -> str:
    """'self', 'for_other' or 'has_rep' from a free-text answer; '' when unclear."""
    if _HAS_REP.search(text):
        return "has_rep"
    if _FOR_OTHER.search(text):
        return "for_other"
    if _OWN.search(text) or is_yes(text):
        return "self"
    return ""


def contact_details(text: str) -> dict[str, str]:
    """An email address and / or a phone number found in the text."""
    found: dict[str, str] = {}
    email = EMAIL.search(text)
    if email:
        found["email"] = email.group(0).strip().lower()
    phone = PHONE.search(EMAIL.sub(" ", text))
    if phone:
        found["phone"] = re.sub(r"\s+", " ", phone.group(0)).strip()
    return found


def address_or_tenancy(text: str) -> dict[str, str]:
    """A tenancy reference when the answer looks like one, otherwise an address."""
    value = " ".join(text.split())
    if TENANCY.match(value):
        return {"tenancy_ref": value}
    return {"address": value}


def frame_outcome(text: str) -> str:
    """The answer to "what would put it right?", phrased as the wish it is.

    Only what the classifier reads is framed; the resident's words are stored as typed.
    """
    answer = " ".join(text.split()).rstrip(".")
    if _WANTS.match(answer):
        return answer + "."
    answer = re.sub(r"^(please|pls|just)\s+", "", answer, flags=re.IGNORECASE)
    answer = re.sub(r"^(you to|for you to)\s+", "", answer, flags=re.IGNORECASE)
    first = answer.split(" ", 1)[0].lower().strip(",")
    if first in _VERBS:
        return f"I would like you to {answer[0].lower()}{answer[1:]}."
    return f"I would like {answer[0].lower()}{answer[1:]}." if answer else ""
