"""Loopback servers for mail tests: Intake's SMTP listener and a recording relay."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from connectors.smtp import SmtpService
from intake.context import AppContext


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.raw)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class RecordingRelay:
    """An SMTP relay on loopback that keeps what it is given (or refuses, when told to)."""

    received: list[Received] = field(default_factory=list)
    refuse_with: str | None = None  # e.g. "550 5.1.1 No such user"
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.refuse_with:
            return self.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 OK"


@pytest.fixture
def relay(ctx: AppContext) -> Iterator[RecordingRelay]:
    """A recording relay, and ctx's settings pointing at it."""
    recorder = RecordingRelay()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    ctx.settings.relay_host = "127.0.0.1"
    ctx.settings.relay_port = port
    try:
        yield recorder
    finally:
        controller.stop()


@pytest.fixture
def smtp(ctx: AppContext) -> Iterator[SmtpService]:
    """Intake's SMTP listener on a free loopback port, storing into ctx's database."""
    ctx.settings.smtp_port = free_port()
    ctx.settings.smtp_recipients = ["complaints@landlord.example"]
    service = SmtpService(ctx)
    try:
        yield service
    finally:
        service.stop()


def email_bytes(
    *,
    sender: str = "Jane Smith <jane@example.org>",
    subject: str = "My boiler",
    body: str = "I reported my boiler twice and nobody came. I am unhappy. Please fix it.",
    message_id: str | None = "<first@example.org>",
    extra: dict[str, str] | None = None,
) -> bytes:
    """A simple, well-formed email."""
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = "complaints@landlord.example"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (extra or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()
