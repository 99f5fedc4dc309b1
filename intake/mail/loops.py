"""Mail loop protection: recognise automatic mail, which is stored but never answered."""

from __future__ import annotations

from email.message import Message

from intake.mail.headers import clean_text

# RFC 3834 says never to answer these automatically; RFC 2369 / 2919 list mail and bulk
# mail are not a person writing to the landlord either.
_LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post", "list-help")
_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_DAEMONS = ("mailer-daemon@", "postmaster@", "mail-daemon@")
# Replies that say "I am away" or "your mail bounced": filed, never triaged as new cases.
AUTO_REPLY_PREFIXES = ("auto-replied", "auto-reply", "bounce", "null sender", "delivery report")


def _get(message: Message, name: str) -> str:
    try:
        return clean_text(message.get(name, "") or "", 200).lower()
    except Exception:  # a malformed header is no reason to skip the other checks
        return ""


def automated_reason(message: Message, sender: str) -> str:
    """Why this email looks automatic ("" for a person); the reason is shown to staff."""
    auto = _get(message, "auto-submitted")
    if auto and auto.split(";")[0].strip() != "no":
        kind = auto.split(";")[0].strip()
        return "auto-replied" if kind == "auto-replied" else f"Auto-Submitted: {kind}"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    if sender.startswith(_DAEMONS):
        return "bounce"
    if _get(message, "x-autoreply") or _get(message, "x-autorespond"):
        return "auto-reply"
    suppress = _get(message, "x-auto-response-suppress")
    if "oof" in suppress or "autoreply" in suppress:
        return "auto-reply"
    for name in _LIST_HEADERS:
        if _get(message, name):
            return f"mailing list ({name.title()})"
    precedence = _get(message, "precedence")
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    return ""


def is_auto_reply(reason: str) -> bool:
    """Out-of-office replies and bounces, as opposed to other automatic mail."""
    return reason.startswith(AUTO_REPLY_PREFIXES)
