"""Build an outgoing letter as an email: safe headers, a Message-ID replies can thread on."""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from intake.mail.headers import clean_text, first_message_id, formatted_address, message_ids


def domain_of(address: str) -> str:
    """The domain part of an address, for our Message-IDs."""
    return address.rpartition("@")[2] or "intake.invalid"


def compose_letter(
    *,
    from_name: str,
    from_address: str,
    to_name: str,
    to_address: str,
    subject: str,
    body: str,
    when: datetime,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
) -> tuple[str, bytes]:
    """The Message-ID and RFC 5322 bytes of one letter.

    Every value that may have come from received mail (the resident's name and address,
    their Message-IDs) is cleaned first, so no CR or LF can start a header of its own.
    """
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = formatted_address(from_name, from_address)
    message["To"] = formatted_address(to_name, to_address)
    message["Subject"] = clean_text(subject, 500)
    message["Date"] = format_datetime(when)
    message_id = make_msgid(domain=domain_of(from_address))
    message["Message-ID"] = message_id
    # RFC 3834: mark our mail as automatic so other systems never auto-reply to it.
    message["Auto-Submitted"] = "auto-replied"
    parent = first_message_id(in_reply_to or "")
    chain = message_ids(" ".join(references or []), limit=20)
    if parent:
        message["In-Reply-To"] = parent
        if parent not in chain:
            chain.append(parent)
    if chain:
        message["References"] = " ".join(chain)
    message.set_content(body, charset="utf-8")
    return message_id, message.as_bytes()
