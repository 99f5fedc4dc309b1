"""Slack's text conventions: its markup to plain words, escaping ours, timestamps and permalinks."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

# <@U123>, <@U123|name>, <#C123|general>, <!here>, <https://x|label>, <mailto:a@b|a@b>
_ANGLE = re.compile(r"<([^<>]+)>")


def _plain_token(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        return "@" + (label or target[1:].split("^")[0])
    if target.startswith("mailto:"):
        return label or target[len("mailto:") :]
    return label or target


def plain_text(text: str, *, drop_user: str = "") -> str:
    """What a person wrote, without Slack's markup; `drop_user` removes mentions of the app."""
    if drop_user:
        text = re.sub(rf"<@{re.escape(drop_user)}(\|[^>]*)?>", "", text)
    return html.unescape(_ANGLE.sub(_plain_token, text)).strip()


def escape(text: str) -> str:
    """Someone's words made safe to show in a Slack message (no accidental @channel or links)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote(text: str, limit: int = 600) -> str:
    """A Slack block quote of someone's words, shortened to fit a card."""
    text = text.strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return "\n".join("> " + escape(line) for line in text.splitlines() or [""])


def ts_to_datetime(ts: str) -> datetime | None:
    """The moment a Slack message was posted (its ts is seconds since the epoch)."""
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def workspace_url(domain_or_url: str) -> str:
    """A workspace's address from its domain ("landlord") or its URL (auth.test's "url")."""
    value = domain_or_url.strip().rstrip("/")
    if not value or value.startswith("https://"):
        return value
    return f"https://{value}.slack.com"


def permalink(workspace: str, channel: str, ts: str, thread_ts: str | None = None) -> str:
    """A link to a Slack message, built without a network call (Slack's documented form)."""
    base = workspace_url(workspace)
    if not (base and channel and ts):
        return ""
    link = f"{base}/archives/{channel}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel}"
    return link


def source_key(team: str, channel: str, ts: str) -> str:
    """The one key a Slack message has, whichever way it was logged."""
    return f"{team}/{channel}/{ts}"
