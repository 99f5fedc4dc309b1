"""Is a reply about the same matter as its case? (Code 6.8: related issues join, others don't.)"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A reply about our response is about this complaint, whatever words it uses (6.10).
_ABOUT_OUR_RESPONSE = re.compile(
    r"\b(your|the|this|that)\s+(response|reply|answer|decision|letter|outcome|findings|"
    r"email)\b|\bescalat|\bstage\s*(2|two)\b|\breview (it|this|my complaint)\b|"
    r"\b(same|this|my) (complaint|issue|problem)\b|\bstill\b|\bagain\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]{4,}")
# Words every housing message uses: sharing them says nothing about the matter.
_COMMON_WORDS = """
    about above after again also another anyone around because been before being below
    best came come could dear does doing done down each email even ever every from further
    have having here home house flat into just know like look looking made make many more
    most much must need never nobody none nothing only other over please really regards
    said same should since some still such tell than thank thanks that their them then
    there these they thing things this those though through told very want week weeks
    were what when where which while will with would your yours month months days today
    yesterday complaint complain complaints landlord council housing repair repairs
    property tenant resident sincerely kind hello problem issue issues message letter
    reference time times call called phone number contact help asap urgent
"""
_COMMON = frozenset(_COMMON_WORDS.split())


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def key_words(text: str) -> set[str]:
    """The distinctive words of a text, crudely stemmed."""
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _COMMON}


def relatedness(new_text: str, case_texts: Iterable[str]) -> tuple[bool, str]:
    """Whether new text continues the case's matter, and why, for the team lead.

    Deliberately leans towards "related": keeping a message in its case is the safe default,
    and a person can always split it off. Only a message that shares no distinctive word
    with the case and does not refer to our response counts as a new, unrelated issue.
    """
    if not new_text.strip():
        return True, "no new text"
    if _ABOUT_OUR_RESPONSE.search(new_text):
        return True, "refers to this complaint or our response"
    shared = key_words(new_text) & key_words(" ".join(case_texts))
    if shared:
        return True, "shares words with the case: " + ", ".join(sorted(shared)[:5])
    return False, "shares no distinctive words with the case"
