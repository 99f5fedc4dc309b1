"""Keep Slack tokens and the signing secret out of every log line, whoever writes it."""

from __future__ import annotations

import logging
import re
import threading
import traceback
from collections.abc import Callable, Iterable
from typing import Any

# Slack's token shapes, in case one arrives that is not in our settings (a rotated token).
_TOKEN_SHAPE = re.compile(r"\bx(?:ox[abposr]|app)-[0-9A-Za-z-]{10,}")
_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def redact(text: str) -> str:
    """The text with every known secret and anything shaped like a Slack token replaced."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    return _TOKEN_SHAPE.sub("[redacted]", text)


def protect(secrets: Iterable[str | None]) -> None:
    """Redact these values from all log records from now on.

    A filter on one logger would miss records from slack_sdk's and slack_bolt's own loggers
    (filters do not apply to records propagated from child loggers), so the redaction
    happens where every record is made: the log record factory.
    """
    global _installed
    with _lock:
        _secrets.update(s for s in secrets if s and len(s) >= 8)
        if _installed:
            return
        previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _scrub(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed log call: leave it for logging to report
        return
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[1] is not None:
        # Format the traceback now, redacted; handlers use exc_text when it is set.
        formatted = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = redact(formatted)
