"""The resident's new words: HTML made plain text, quoted replies and signature set apart."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag
from mailparser_reply import EmailMessage

# Parts of an HTML mail that are never text for a reader (and never rendered or fetched).
_INVISIBLE = ("script", "style", "head", "title", "noscript", "template", "iframe", "object", "svg")
# How the common mail programs mark the earlier message they quote in an HTML reply.
_QUOTE_MARKERS = (
    "div.gmail_quote",
    "blockquote.gmail_quote",
    "div.yahoo_quoted",
    "div.moz-cite-prefix",
    "blockquote[type=cite]",
    "div#divRplyFwdMsg",
    "div#appendonsend",
    "div#mail-editor-reference-message-container",
    "blockquote",
)
# Outlook puts the quoted message after these markers rather than inside them.
_QUOTE_EVERYTHING_AFTER = ("div#divRplyFwdMsg", "div#appendonsend")
_BLOCKS = (
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "hr", "section", "article", "header", "footer",
)  # fmt: skip
_TAGS = re.compile(r"<[^>]{0,2000}>")
# A mail program's "On <date>, <name> wrote:" line introducing a quote.
_WROTE = re.compile(r"^\s*(on\s.{0,300}\swrote:|-+\s*original message\s*-+)\s*$", re.IGNORECASE)
# Beyond this the reply splitter is not run (the rest is far past what gets classified).
SPLIT_LIMIT = 200_000
# A "signature" longer than this is more likely the resident's words after "Thanks," etc.
SIGNATURE_MAX_LINES = 12
SIGNATURE_MAX_CHARS = 800


@dataclass
class Body:
    """A message body separated into what the sender just wrote and what came before."""

    text: str
    quoted: str = ""
    signature: str = ""
    notes: list[str] = field(default_factory=list)


def tidy(text: str) -> str:
    """Normalise line endings, strip trailing spaces and collapse runs of blank lines."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    blank = 0
    for line in lines:
        blank = blank + 1 if not line.strip() else 0
        if blank <= 1:
            out.append(line)
    return "\n".join(out).strip("\n")


def _text_of(node: Tag) -> str:
    for br in node.find_all("br"):
        br.replace_with("\n")
    for block in node.find_all(_BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    text = node.get_text()
    return tidy(re.sub(r"[ \t\xa0]+", " ", text))


def html_to_text(markup: str) -> Body:
    """Plain text from HTML, with quoted earlier messages removed into `quoted`.

    Parsed with the standard library's HTML parser through BeautifulSoup: nothing is
    rendered, executed or fetched. If the markup defeats the parser, tags are stripped.
    """
    try:
        soup = BeautifulSoup(markup, "html.parser")
        for tag in soup(_INVISIBLE):
            tag.decompose()
        quoted: list[str] = []
        for selector in _QUOTE_EVERYTHING_AFTER:
            for marker in soup.select(selector):
                following = [s for s in marker.find_next_siblings() if isinstance(s, Tag)]
                for sibling in following:
                    quoted.append(_text_of(sibling))
                    sibling.decompose()
        for selector in _QUOTE_MARKERS:
            for marker in soup.select(selector):
                if marker.decomposed:
                    continue
                quoted.append(_text_of(marker))
                marker.decompose()
        return Body(text=_text_of(soup), quoted="\n\n".join(q for q in quoted if q))
    except (RecursionError, AssertionError, ValueError):
        stripped = html.unescape(_TAGS.sub(" ", markup))
        return Body(text=tidy(stripped), notes=["HTML too complex to lay out; tags stripped"])


def _trailing_quote(lines: list[str]) -> int:
    """Index where a trailing block of '>' lines (and its 'wrote:' intro) starts, else -1."""
    start = -1
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index].strip()
        if line.startswith(">"):
            start = index
        elif line and start != -1:
            if _WROTE.match(line):
                start = index
            break
        elif line:
            break
    return start


def split_reply(text: str) -> Body:
    """Separate the newest reply from quoted earlier messages and the signature.

    Uses mail-parser-reply (mail programs' "On ... wrote:" and "From: ... Sent:" headers,
    "-- " and "Sent from my ..." signatures), with guards so a resident's own words after
    "Thanks" are never hidden as a signature.
    """
    text = tidy(text)
    if not text or len(text) > SPLIT_LIMIT:
        return Body(text=text)
    parsed = EmailMessage(text=text, languages=["en"], keep_hyphen_lists=True).read()
    if not parsed.replies:
        return Body(text=text)
    latest, earlier = parsed.replies[0], parsed.replies[1:]
    signature = latest.signatures
    if signature.count("\n") + 1 > SIGNATURE_MAX_LINES or len(signature) > SIGNATURE_MAX_CHARS:
        new, signature = latest.full_body, ""
    else:
        new = latest.body
    if latest.disclaimers:
        signature = "\n\n".join([signature, *latest.disclaimers]).strip()
    quoted = "\n\n".join(
        tidy(f"{reply.headers}\n{reply.full_body}") for reply in earlier if reply.content
    )
    lines = new.split("\n")
    cut = _trailing_quote(lines)
    if cut > 0:
        quoted = "\n".join([*lines[cut:], quoted]).strip()
        new = "\n".join(lines[:cut])
    return Body(text=tidy(new), quoted=tidy(quoted), signature=tidy(signature))
