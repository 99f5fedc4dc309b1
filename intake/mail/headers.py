"""Header values made safe: no control characters, valid message ids and addresses only."""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.utils import parseaddr

# Any C0/C1 control character, including CR and LF: one of these in a header value could
# start a new header line (header injection), so they become spaces.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES = re.compile(r"\s+")
# RFC 5322 msg-id, leniently: <left@right> with no spaces, angle brackets or controls.
_MSG_ID = re.compile(r"<[^<>\s\x00-\x1f\x7f]{1,900}>")
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"\\]{1,64}@[A-Za-z0-9.-]{1,253}$")


def clean_text(value: object, limit: int = 998) -> str:
    """A single line of text, safe to put in any header: controls removed, spaces collapsed."""
    text = _CONTROL.sub(" ", str(value or ""))
    return _SPACES.sub(" ", text).strip()[:limit]


def message_ids(value: object, limit: int = 100) -> list[str]:
    """Every well-formed <msg-id> in a header value, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in _MSG_ID.findall(str(value or "")):
        seen.setdefault(match, None)
        if len(seen) >= limit:
            break
    return list(seen)


def first_message_id(value: object) -> str | None:
    """The first well-formed <msg-id> in a header value, or None."""
    found = message_ids(value, limit=1)
    return found[0] if found else None


def clean_address(value: object) -> str:
    """A plain addr-spec (lower-cased) when the value is one, else ""; never a header fragment."""
    _, address = parseaddr(clean_text(value, 998))
    address = address.strip().lower()
    return address if _ADDRESS.match(address) else ""


def formatted_address(name: str, address: str) -> str:
    """'Display Name <addr>' with the name cleaned; raises ValueError for a bad address."""
    address = clean_address(address)
    if not address:
        raise ValueError("not a valid email address")
    username, _, domain = address.rpartition("@")
    return str(Address(display_name=clean_text(name, 200), username=username, domain=domain))
