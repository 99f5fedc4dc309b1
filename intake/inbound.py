"""InboundMessage: the one shape every channel's message takes before triage."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class AttachmentInfo:
    """A file that came with a message (its bytes are stored, never classified)."""

    filename: str
    content_type: str
    data: bytes = field(repr=False, default=b"")


@dataclass
class InboundMessage:
    """A message from any channel, normalised. Connectors build these; intake/ consumes them."""

    channel: str
    text: str  # the new text the resident (or staff member) wrote
    received_at: datetime | None = None
    subject: str = ""
    sender: str = ""  # an address, phone number or Slack user id
    sender_name: str = ""
    quoted_text: str = ""  # earlier replies quoted below the new text
    signature: str = ""
    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    attachments: list[AttachmentInfo] = field(default_factory=list)
    resident: dict[str, Any] = field(default_factory=dict)
    representative: dict[str, Any] = field(default_factory=dict)
    # Loop protection: auto-replies, bulk mail and bounces are stored but never answered.
    automated: str = ""
    # Set when the connector already knows the case (a chat conversation, a staff form).
    case_id: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_payload(self) -> dict[str, Any]:
        """The JSON a non-email connector stores as the raw message."""
        payload = asdict(self)
        payload.pop("attachments")
        if self.received_at is not None:
            payload["received_at"] = self.received_at.isoformat()
        return payload

    @classmethod
    def from_payload(cls, raw: bytes) -> InboundMessage:
        """Rebuild from the stored JSON; unknown keys are ignored, wrong types refused."""
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("stored payload is not a JSON object")
        known = {f for f in cls.__dataclass_fields__ if f != "attachments"}
        values = {k: v for k, v in data.items() if k in known}
        if values.get("received_at"):
            values["received_at"] = datetime.fromisoformat(values["received_at"])
        message = cls(**values)
        if not isinstance(message.text, str):
            raise ValueError("message text is not a string")
        return message
