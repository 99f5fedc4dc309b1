"""Parse a stored email (RFC 5322 bytes) into an InboundMessage: who, what's new, attachments."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parseaddr
from typing import Any

from intake.inbound import AttachmentInfo, InboundMessage
from intake.mail.bodytext import Body, html_to_text, split_reply
from intake.mail.headers import clean_address, clean_text, first_message_id, message_ids
from intake.mail.loops import automated_reason

# Deeper MIME nesting than this is not walked (the original stays stored, byte for byte).
MAX_DEPTH = 40
# More parts than this and the email is not parsed at all: only an attack needs so many,
# and parsing them would tie up a worker for minutes.
MAX_PARTS = 60_000
MAX_ATTACHMENTS = 200
_BARE_CR_OR_LF = re.compile(rb"\r(?!\n)|(?<!\r)\n")
_ANGLE_ADDRESS = re.compile(r"<([^<>\s]+@[^<>\s]+)>\s*$")
_QUOTED_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(<[^<>\s]{1,900}>)", re.I | re.M)
_PART_HEADER = re.compile(rb"^content-type:", re.IGNORECASE | re.MULTILINE)
# Declared charsets that are often wrong: mail that says Latin-1 or ASCII but is UTF-8.
_OFTEN_MISLABELLED = {"ascii", "latin_1", "iso8859_1", "cp1252", "iso8859_15"}


class UnreadableEmail(ValueError):
    """An email that cannot be read safely; the message says why, for staff."""


def _safe(read: Callable[[], Any], default: Any) -> Any:
    # Malformed headers raise from deep inside the email package; one bad header must not
    # stop the rest of the message being read.
    try:
        return read()
    except Exception:
        return default


def normalise_line_endings(raw: bytes) -> bytes:
    """In a CRLF message, a bare CR or LF inside the header block is not a line break.

    Treating it as one would let "Subject: hi<LF>Bcc: x" smuggle in an extra header. Files
    with plain LF line endings (mbox, Maildir) are left alone.
    """
    end = raw.find(b"\r\n\r\n")
    if end == -1 or raw.find(b"\n\n", 0, end) != -1:
        return raw  # LF line endings, or the headers already end at a bare blank line
    return _BARE_CR_OR_LF.sub(b" ", raw[: end + 2]) + raw[end + 2 :]


def decode_bytes(data: bytes, declared: str | None) -> tuple[str, str]:
    """Text from bytes under a declared charset that may be missing, unknown or wrong."""
    name = ""
    if declared:
        try:
            name = codecs.lookup(declared.strip().strip('"')).name.replace("-", "_")
        except LookupError:
            name = ""
    order = [name] if name else []
    if not name or name in _OFTEN_MISLABELLED:
        order.insert(0, "utf_8")  # valid UTF-8 with accents is almost never really Latin-1
    order += ["utf_8", "cp1252"]
    for codec in order:
        try:
            return data.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin_1"), "latin_1"  # never fails: every byte is a character


def _part_text(part: Message) -> tuple[str, str]:
    payload = _safe(lambda: part.get_payload(decode=True), b"")
    if not isinstance(payload, bytes):
        payload = str(payload or "").encode("utf-8", "surrogateescape")
    return decode_bytes(payload, _safe(part.get_content_charset, None))


def _is_attachment(part: Message) -> bool:
    disposition = _safe(part.get_content_disposition, None)
    if disposition == "attachment":
        return True
    if _safe(part.get_filename, None):
        return True
    return part.get_content_type() not in ("text/plain", "text/html")


def _attachment(part: Message) -> AttachmentInfo:
    name = clean_text(_safe(part.get_filename, None) or "", 500).replace("/", "_")
    if part.get_content_type() == "message/rfc822":
        inner = _safe(lambda: part.get_payload(0), None)
        data = _safe(lambda: inner.as_bytes(), b"") if isinstance(inner, Message) else b""
        name = name or clean_text(_safe(lambda: inner["subject"], "") or "", 200) + ".eml"
    else:
        decoded = _safe(lambda: part.get_payload(decode=True), b"")
        data = decoded if isinstance(decoded, bytes) else b""
    return AttachmentInfo(
        filename=name.replace("\\", "_") or "attachment",
        content_type=part.get_content_type(),
        data=data,
    )


def _choose_alternative(parts: list[Message]) -> Message | None:
    """Of equivalent renderings, the plain text one; else the last (richest) one."""
    for part in parts:
        if part.get_content_type() == "text/plain" and not _is_attachment(part):
            return part
    return parts[-1] if parts else None


class _Walker:
    """Walks the MIME tree without recursion, gathering body text and attachments."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[AttachmentInfo] = []
        self.notes: list[str] = []
        self.charsets: set[str] = set()
        self.skipped = 0

    def walk(self, root: Message) -> None:
        stack: list[tuple[Message, int]] = [(root, 0)]
        while stack:
            part, depth = stack.pop()
            if part.is_multipart():
                if depth >= MAX_DEPTH:
                    self.notes.append(f"parts nested over {MAX_DEPTH} deep were not read")
                    continue
                children = [c for c in _safe(part.get_payload, []) if isinstance(c, Message)]
                if part.get_content_subtype() == "alternative":
                    chosen = _choose_alternative(children)
                    children = [chosen] if chosen is not None else []
                stack.extend((child, depth + 1) for child in reversed(children))
            else:
                self.leaf(part)

    def leaf(self, part: Message) -> None:
        if _is_attachment(part):
            if len(self.attachments) < MAX_ATTACHMENTS:
                self.attachments.append(_attachment(part))
            else:
                self.skipped += 1
            return
        text, codec = _part_text(part)
        self.charsets.add(codec)
        (self.plain if part.get_content_type() == "text/plain" else self.html).append(text)


def _body(walker: _Walker) -> Body:
    if walker.plain:
        return split_reply("\n\n".join(walker.plain))
    if walker.html:
        converted = [html_to_text(h) for h in walker.html]
        body = split_reply("\n\n".join(b.text for b in converted))
        body.quoted = "\n\n".join(x for x in [body.quoted, *(b.quoted for b in converted)] if x)
        body.notes = [n for b in converted for n in b.notes]
        return body
    return Body(text="")


def _date(message: EmailMessage) -> datetime | None:
    value = _safe(lambda: message["date"], None)
    when = getattr(value, "datetime", None)
    if not isinstance(when, datetime):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _raw_header(message: EmailMessage, name: str) -> str:
    """A header's value as received, for when the email package refuses to parse it."""
    for key, value in message.raw_items():
        if key.lower() == name:
            return str(value)
    return ""


def _decode_words(value: str) -> str:
    return str(_safe(lambda: make_header(decode_header(value)), value))


def _sender(message: EmailMessage) -> tuple[str, str]:
    header = _safe(lambda: message["from"], None)
    addresses = _safe(lambda: header.addresses, ()) if header is not None else ()
    if addresses:
        first = addresses[0]
        return clean_address(first.addr_spec), clean_text(first.display_name, 200)
    # E.g. an encoded display name hiding CR LF: the email package raises; read it ourselves.
    raw = clean_text(_raw_header(message, "from"))
    angle = _ANGLE_ADDRESS.search(raw)
    name, address = (raw[: angle.start()], angle.group(1)) if angle else parseaddr(raw)
    return clean_address(address), clean_text(_decode_words(name.strip().strip('"')), 200)


def _recipients(message: EmailMessage, name: str) -> list[str]:
    header = _safe(lambda: message[name], None)
    addresses = _safe(lambda: header.addresses, ()) if header is not None else ()
    return [a for a in (clean_address(x.addr_spec) for x in addresses[:50]) if a]


def parse_email(raw: bytes) -> InboundMessage:
    """Read one email; raises UnreadableEmail (with a plain reason) only when it cannot."""
    if len(_PART_HEADER.findall(raw)) > MAX_PARTS:
        raise UnreadableEmail(
            f"This email has more than {MAX_PARTS:,} parts, far more than any real message, so "
            "it was not read. The original is kept exactly as it arrived."
        )
    try:
        message = BytesParser(policy=policy.default).parsebytes(normalise_line_endings(raw))
    except RecursionError:
        raise UnreadableEmail(
            "This email's parts are nested too deeply to read safely. The original is kept "
            "exactly as it arrived."
        ) from None
    assert isinstance(message, EmailMessage)
    walker = _Walker()
    walker.walk(message)
    body = _body(walker)
    sender, sender_name = _sender(message)
    defects = [type(d).__name__ for d in _safe(lambda: message.defects, [])][:20]
    meta = {
        "to": _recipients(message, "to"),
        "cc": _recipients(message, "cc"),
        "charsets": sorted(walker.charsets),
        "html_only": not walker.plain and bool(walker.html),
    }
    notes = walker.notes + body.notes
    if walker.skipped:
        notes.append(f"{walker.skipped} more attachments are only in the original message")
    if notes:
        meta["notes"] = sorted(set(notes))
    if defects:
        meta["defects"] = defects
    automated = automated_reason(message, sender)
    own_id = first_message_id(_safe(lambda: message["message-id"], ""))
    if automated:
        meta["automated"] = automated
    # A bounce quotes the headers of the mail that failed (the envelope's null sender, known
    # only to the parse step, may be what marks it): note which messages it quotes.
    quoted = message_ids(b" ".join(_QUOTED_MESSAGE_ID.findall(raw)).decode("latin-1"), 21)
    if [i for i in quoted if i != own_id]:
        meta["reported_message_ids"] = [i for i in quoted if i != own_id][:20]
    return InboundMessage(
        channel="email",
        text=body.text,
        received_at=_date(message),
        subject=clean_text(_safe(lambda: message["subject"], "") or "", 1000),
        sender=sender,
        sender_name=sender_name,
        quoted_text=body.quoted,
        signature=body.signature,
        message_id=own_id,
        in_reply_to=first_message_id(_safe(lambda: message["in-reply-to"], "")),
        references=message_ids(_safe(lambda: message["references"], "")),
        attachments=walker.attachments,
        automated=automated,
        meta=meta,
    )
