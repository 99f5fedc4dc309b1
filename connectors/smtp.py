"""The SMTP listener: accepts mail for the complaints address and stores it before saying 250."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import ssl
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from connectors.smtp_commit import GroupCommitter, StoreUnavailable
from intake.context import AppContext
from intake.settings import Settings

log = logging.getLogger(__name__)

TEMPORARY_FAILURE = "451 4.3.0 Your message could not be stored just now; please try again later"
# How long a session waits for its message to be committed before asking the sender to retry.
COMMIT_TIMEOUT_SECONDS = 60.0
# RFC 5321 limits lines to 1,000 octets, but real mail breaks that; refusing it would lose
# the message, so accept long lines (the total size limit still applies).
LINE_LENGTH_LIMIT = 1_000_000


class IntakeSMTP(SMTP):
    """aiosmtpd's server with a generous line length limit."""

    line_length_limit = LINE_LENGTH_LIMIT


class IntakeHandler:
    """aiosmtpd hooks: refuse unknown recipients, store each message, never answer 500."""

    def __init__(self, settings: Settings, committer: GroupCommitter):
        self.recipients = {r.strip().lower() for r in settings.smtp_recipients if r.strip()}
        self.committer = committer

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.recipients and address.strip().lower() not in self.recipients:
            return "550 5.1.1 No such mailbox here; this server accepts complaints mail only"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        details = {
            "mail_from": envelope.mail_from or "",
            "rcpt_tos": list(envelope.rcpt_tos),
            "peer": _peer(session.peer),
            "helo": str(session.host_name or "")[:200],
            "tls": session.ssl is not None,
        }
        try:
            async with asyncio.timeout(COMMIT_TIMEOUT_SECONDS):
                inbound_id = await self.committer.store(raw, details)
        except (StoreUnavailable, TimeoutError):
            return TEMPORARY_FAILURE
        except Exception:  # anything else must still be a temporary failure, never a 500
            log.exception("storing a received message failed")
            return TEMPORARY_FAILURE
        return f"250 2.0.0 OK: queued as {inbound_id}"

    async def handle_exception(self, error: Exception) -> str:
        # aiosmtpd would answer a permanent 500 with the exception's text; ask for a retry.
        log.error("SMTP session error: %s", type(error).__name__)
        return TEMPORARY_FAILURE


def _peer(peer: Any) -> str:
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer or "")


class _Authenticator:
    """AUTH PLAIN / LOGIN against the one configured account (the forwarding mail server)."""

    def __init__(self, settings: Settings):
        self.username = settings.smtp_auth_username.encode()
        self.password = settings.smtp_auth_password.get_secret_value().encode()

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        import hmac

        ok = (
            isinstance(data, LoginPassword)
            and bool(self.username)
            and hmac.compare_digest(data.login, self.username)
            and hmac.compare_digest(data.password, self.password)
        )
        return AuthResult(success=ok, handled=False)


def _tls_context(settings: Settings) -> ssl.SSLContext | None:
    if not (settings.smtp_tls_cert and settings.smtp_tls_key):
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(settings.smtp_tls_cert), str(settings.smtp_tls_key))
    return context


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class SmtpController(Controller):
    """aiosmtpd's threaded controller, building our SMTP class."""

    def factory(self) -> SMTP:
        return IntakeSMTP(self.handler, **self.SMTP_kwargs)


class SmtpService:
    """The running listener and its commit thread; `intake serve` stops it."""

    def __init__(self, ctx: AppContext, *, port: int | None = None):
        settings = ctx.settings
        self.settings = settings
        # aiosmtpd logs every command at INFO: residents' addresses, for every message.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.committer = GroupCommitter(
            ctx.engine, ctx.clock, on_commit=lambda: ctx.notify_workers()
        )
        tls = _tls_context(settings)
        if settings.smtp_auth_required and not settings.smtp_auth_username:
            raise ValueError(
                "INTAKE_SMTP_AUTH_REQUIRED is on but no account is set: set "
                "INTAKE_SMTP_AUTH_USERNAME and INTAKE_SMTP_AUTH_PASSWORD"
            )
        if settings.smtp_auth_required and tls is None and not _is_loopback(settings.smtp_host):
            raise ValueError(
                "SMTP AUTH without TLS would send the password in clear: set INTAKE_SMTP_TLS_CERT "
                "and INTAKE_SMTP_TLS_KEY, or listen on a loopback address"
            )
        self.controller = SmtpController(
            IntakeHandler(settings, self.committer),
            hostname=settings.smtp_host,
            port=settings.smtp_port if port is None else port,
            data_size_limit=settings.smtp_max_message_bytes,
            enable_SMTPUTF8=True,
            tls_context=tls,
            require_starttls=settings.smtp_require_tls and tls is not None,
            auth_required=settings.smtp_auth_required,
            auth_require_tls=tls is not None,
            # Offer AUTH only when an account is configured.
            authenticator=_Authenticator(settings) if settings.smtp_auth_username else None,
            ident="Intake ESMTP",
        )
        self.controller.start()
        self._stopped = False

    @property
    def port(self) -> int:
        """The port actually listened on (useful when configured as 0)."""
        server: Any = self.controller.server
        return int(server.sockets[0].getsockname()[1]) if server else self.settings.smtp_port

    def describe(self) -> str:
        accepted = ", ".join(self.settings.smtp_recipients) or "any address"
        return f"SMTP: listening on {self.settings.smtp_host}:{self.port} (accepting {accepted})"

    def stop(self) -> None:
        """Stop listening, then let the commit thread finish what it holds (idempotent)."""
        if not self._stopped:
            self._stopped = True
            self.controller.stop()
        self.committer.stop()


def start(ctx: AppContext) -> SmtpService:
    """Start listening for mail (called by `intake serve`)."""
    return SmtpService(ctx)
