"""STARTTLS and AUTH on the listener: the forwarding server must log in over TLS when asked."""

from __future__ import annotations

import datetime
import smtplib
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr
from sqlmodel import Session, select

from connectors.smtp import SmtpService
from store.models import Inbound
from tests.mail.servers import email_bytes, free_port

RCPT = "complaints@landlord.example"


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def secured(ctx, tmp_path):  # type: ignore[no-untyped-def]
    cert, key = self_signed(tmp_path)
    settings = ctx.settings
    settings.smtp_port = free_port()
    settings.smtp_recipients = [RCPT]
    settings.smtp_tls_cert, settings.smtp_tls_key = cert, key
    settings.smtp_require_tls = True
    settings.smtp_auth_required = True
    settings.smtp_auth_username = "forwarder"
    settings.smtp_auth_password = SecretStr("s3cret-pass")
    service = SmtpService(ctx)
    yield service
    service.stop()


def _insecure_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    return context


def test_mail_needs_starttls_and_login(secured, engine) -> None:
    with smtplib.SMTP("127.0.0.1", secured.port, timeout=30) as client:
        client.ehlo()
        code, _ = client.mail("jane@example.org")
        assert code == 530  # STARTTLS first
    with smtplib.SMTP("127.0.0.1", secured.port, timeout=30) as client:
        client.starttls(context=_insecure_context())
        client.ehlo()
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login("forwarder", "wrong")
    with Session(engine) as session:
        assert session.exec(select(Inbound)).all() == []
    with smtplib.SMTP("127.0.0.1", secured.port, timeout=30) as client:
        client.starttls(context=_insecure_context())
        client.ehlo()
        client.login("forwarder", "s3cret-pass")
        assert client.sendmail("jane@example.org", [RCPT], email_bytes()) == {}
    with Session(engine) as session:
        [row] = session.exec(select(Inbound)).all()
        assert row.envelope["tls"] is True


def test_auth_without_an_account_is_a_plain_configuration_error(ctx) -> None:
    ctx.settings.smtp_port = free_port()
    ctx.settings.smtp_auth_required = True
    with pytest.raises(ValueError, match="INTAKE_SMTP_AUTH_USERNAME"):
        SmtpService(ctx)
