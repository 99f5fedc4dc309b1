"""Text preparation: keep the new words, drop quoted replies and signatures, split sentences."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Characters kept from a very long message before tokenising: the head carries the
# greeting and the point, the tail the sign-off and what the writer wants.
HEAD_CHARS = 6000
TAIL_CHARS = 2000

_QUOTE_HEADERS = re.compile(
    r"^\s*(?:"
    r"On\b.{0,200}\bwrote:?\s*$"  # On 3 May 2025, Repairs Team wrote:
    r"|-{2,}\s*(?:Original|Forwarded) Message\s*-{2,}"
    r"|Begin forwarded message:"
    r"|From:\s.+$"  # Outlook-style header block of an earlier message
    r"|_{10,}\s*$"
    r")",
    re.IGNORECASE,
)
_SIGNATURE_START = re.compile(
    r"^\s*(?:--\s*$"
    r"|Sent from my\b"
    r"|Get Outlook for\b"
    r"|This (?:e-?mail|message)(?: and any attachments?)? "
    r"(?:is|are|may be) (?:confidential|intended)"
    r"|DISCLAIMER\b"
    r"|CONFIDENTIALITY NOTICE)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9£])|\n\s*")
_SPACES = re.compile(r"[ \t\u00a0]+")


def normalise(text: str) -> str:
    """NFC, no control characters except newlines and tabs, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = _SPACES.sub(" ", text)
    return re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text).strip()


def strip_quoted(text: str) -> str:
    """The new part of an email: no '>' lines, nothing below 'On ... wrote:', no signature.

    Falls back to the whole text when stripping would leave nothing, so a bare forward is
    still classified on what it forwards.
    """
    kept: list[str] = []
    for line in text.split("\n"):
        if _QUOTE_HEADERS.match(line) and kept and any(k.strip() for k in kept):
            break
        if _SIGNATURE_START.match(line) and any(k.strip() for k in kept):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    new = "\n".join(kept).strip()
    return new if len(new) >= 3 else text.strip()


def head_tail(text: str, head: int = HEAD_CHARS, tail: int = TAIL_CHARS) -> str:
    """Cut the middle out of a text longer than head + tail characters."""
    if len(text) <= head + tail:
        return text
    return text[:head].rstrip() + "\n…\n" + text[-tail:].lstrip()


def prepare(text: str) -> str:
    """What the model reads: normalised, the new part of the message, at most ~8,000 characters."""
    # Cap first so a megabyte of input costs no more than a long email.
    rough = head_tail(text, 4 * HEAD_CHARS, 2 * TAIL_CHARS)
    return head_tail(strip_quoted(normalise(rough)))


@dataclass(frozen=True)
class Sentence:
    """A sentence of a prepared text with its character span."""

    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """Split at sentence ends and line breaks, keeping character offsets into `text`."""
    sentences: list[Sentence] = []
    start = 0
    for match in [*_SENTENCE_END.finditer(text), None]:
        end = match.start() if match else len(text)
        if match is not None and match.group(0)[:1] in "\"')]":
            end += len(match.group(0)) - len(match.group(0).lstrip("\"')]"))
        chunk = text[start:end]
        lead = len(chunk) - len(chunk.lstrip())
        stripped = chunk.strip()
        if stripped and any(ch.isalnum() for ch in stripped):
            sentences.append(Sentence(start + lead, start + lead + len(stripped), stripped))
        start = match.end() if match else len(text)
    return sentences
