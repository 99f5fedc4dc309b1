"""Cheap training-time text variation that real messages show: no new labelled content.

Each change keeps what the writer said and only alters how it looks: all lower case (chat),
no punctuation, a few typos, no greeting or sign-off, no subject line. The same change is
applied to the evidence spans, so the sentence-role targets still line up; when a span is no
longer found verbatim the example trains without role targets for that epoch.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

Evidence = dict[str, list[str]] | None
Change = Callable[[str, Evidence, random.Random], tuple[str, Evidence]]

_PUNCT = re.compile(r"[.,!?;:]+")
_WORD = re.compile(r"[A-Za-z]{4,}")
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|dear|good (?:morning|afternoon|evening)|morning|afternoon)\b"
    r"[^\n]{0,40}$",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^\s*(?:thanks|thank you|many thanks|thanks again|cheers|regards|kind regards|"
    r"best wishes|best regards|best|yours (?:sincerely|faithfully)|sincerely|ta)\b[^\n]{0,30}$",
    re.IGNORECASE,
)
_SUBJECT = re.compile(r"^\s*Subject:[^\n]*\n+", re.IGNORECASE)


def _both(fn: Callable[[str], str]) -> Change:
    def apply(text: str, evidence: Evidence, _rng: random.Random) -> tuple[str, Evidence]:
        if evidence is None:
            return fn(text), None
        return fn(text), {k: [fn(s) for s in v or []] for k, v in evidence.items()}

    return apply


def _no_punctuation(text: str) -> str:
    return re.sub(r"[ \t]{2,}", " ", _PUNCT.sub("", text))


def _typos(text: str, evidence: Evidence, rng: random.Random) -> tuple[str, Evidence]:
    """Misspell about one word type in twenty (swap, drop or double a letter), everywhere."""
    words = sorted({w for w in _WORD.findall(text)})
    chosen = [w for w in words if rng.random() < 0.05]
    if not chosen:
        return text, evidence
    table: dict[str, str] = {}
    for w in chosen:
        i = rng.randrange(1, len(w) - 2)
        kind = rng.randrange(3)
        if kind == 0:
            table[w] = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
        elif kind == 1:
            table[w] = w[:i] + w[i + 1 :]
        else:
            table[w] = w[:i] + w[i] + w[i:]
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, chosen)) + r")\b")

    def fix(s: str) -> str:
        return pattern.sub(lambda m: table[m.group(1)], s)

    return _both(fix)(text, evidence, rng)


def _strip_greeting_and_sign_off(
    text: str, evidence: Evidence, _rng: random.Random
) -> tuple[str, Evidence]:
    lines = text.split("\n")
    k = 0
    while k < len(lines) and (not lines[k].strip() or lines[k].lstrip().startswith("Subject:")):
        k += 1
    if k < len(lines) - 1 and _GREETING.match(lines[k]):
        lines[k] = ""
    end = len(lines)
    for j in range(len(lines) - 1, max(k, len(lines) - 5), -1):
        if _SIGN_OFF.match(lines[j]):
            end = j
            break
    kept = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", "\n".join(lines[:end])).strip()
    return (kept, evidence) if len(kept) >= 20 else (text, evidence)


def _strip_subject(text: str, evidence: Evidence, _rng: random.Random) -> tuple[str, Evidence]:
    kept = _SUBJECT.sub("", text, count=1).strip()
    return (kept, evidence) if len(kept) >= 20 else (text, evidence)


CHANGES: dict[str, Change] = {
    "lower_case": _both(str.lower),
    "no_punctuation": _both(_no_punctuation),
    "typos": _typos,
    "no_greeting_or_sign_off": _strip_greeting_and_sign_off,
    "no_subject": _strip_subject,
}


def vary(text: str, evidence: Evidence, rng: random.Random) -> tuple[str, Evidence]:
    """One or two of the changes above, picked at random."""
    names = rng.sample(sorted(CHANGES), k=1 if rng.random() < 0.6 else 2)
    for name in names:
        text, evidence = CHANGES[name](text, evidence, rng)
    return text, evidence
