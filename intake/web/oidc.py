"""Single sign-on with OpenID Connect (Microsoft Entra ID or any provider): code flow with PKCE.

The provider proves who the person is; Intake still decides whether they may come in: only
an active account whose email an admin added (or whose subject was bound before) signs in,
with that account's role. Settings: INTAKE_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlmodel import Session, select

from intake.settings import Settings
from store.crud import get_user_by_email
from store.models import StaffUser

TIMEOUT_SECONDS = 10.0
CALLBACK_PATH = "/login/sso/callback"


class OidcError(Exception):
    """Single sign-on did not work; the message is shown to the person as-is."""


@dataclass(frozen=True)
class Transaction:
    """What the browser must bring back from the provider: state, nonce and PKCE verifier."""

    state: str
    nonce: str
    verifier: str

    @classmethod
    def new(cls) -> Transaction:
        return cls(secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48))

    @property
    def challenge(self) -> str:
        """The S256 PKCE challenge for the verifier."""
        digest = hashlib.sha256(self.verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class OidcProvider:
    """One configured provider: discovery, the authorisation URL, code exchange, ID tokens."""

    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None):
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        self.client_secret = settings.oidc_client_secret.get_secret_value()
        self.redirect_uri = settings.public_url.rstrip("/") + CALLBACK_PATH
        self.label = settings.oidc_label
        self._transport = transport
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcProvider | None:
        """The provider, or None while single sign-on is not configured."""
        if not (settings.oidc_issuer and settings.oidc_client_id):
            return None
        return cls(settings)

    def _get(self, url: str) -> dict[str, Any]:
        try:
            with httpx.Client(timeout=TIMEOUT_SECONDS, transport=self._transport) as client:
                response = client.get(url)
                response.raise_for_status()
                data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcError(
                "The sign-in service could not be reached. Try again, or sign in with your "
                "password."
            ) from exc
        if not isinstance(data, dict):
            raise OidcError("The sign-in service gave an answer Intake does not understand.")
        return data

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (fetched once)."""
        with self._lock:
            if self._metadata is None:
                data = self._get(self.issuer + "/.well-known/openid-configuration")
                if str(data.get("issuer", "")).rstrip("/") != self.issuer:
                    raise OidcError("The sign-in service's settings do not match its address.")
                self._metadata = data
            return self._metadata

    def keys(self, *, refresh: bool = False) -> KeySet:
        """The provider's signing keys (fetched again when it has rotated them)."""
        uri = self.metadata().get("jwks_uri")
        if not uri:
            raise OidcError("The sign-in service publishes no signing keys.")
        with self._lock:
            if self._keys is None or refresh:
                self._keys = KeySet.import_key_set(self._get(str(uri)))  # type: ignore[arg-type]
            return self._keys

    def authorization_url(self, transaction: Transaction) -> str:
        """Where to send the browser to sign in."""
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": "openid email profile",
            "state": transaction.state,
            "nonce": transaction.nonce,
            "code_challenge": transaction.challenge,
            "code_challenge_method": "S256",
        }
        return str(self.metadata()["authorization_endpoint"]) + "?" + urlencode(params)

    def exchange(self, code: str, transaction: Transaction) -> dict[str, Any]:
        """Swap the authorisation code for the person's verified ID-token claims."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "client_id": self.client_id,
            "code_verifier": transaction.verifier,
        }
        if self.client_secret:
            form["client_secret"] = self.client_secret
        try:
            with httpx.Client(timeout=TIMEOUT_SECONDS, transport=self._transport) as client:
                response = client.post(str(self.metadata()["token_endpoint"]), data=form)
            tokens = response.json() if response.status_code == 200 else {}
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcError("The sign-in service could not be reached. Try again.") from exc
        id_token = tokens.get("id_token") if isinstance(tokens, dict) else None
        if not isinstance(id_token, str):
            raise OidcError("The sign-in service did not confirm who you are. Try again.")
        return self.verify(id_token, transaction.nonce)

    def verify(self, id_token: str, nonce: str) -> dict[str, Any]:
        """Check the ID token's signature, issuer, audience, expiry and nonce."""
        try:
            try:
                token = jwt.decode(id_token, self.keys(), algorithms=["RS256", "ES256"])
            except (JoseError, ValueError):
                token = jwt.decode(id_token, self.keys(refresh=True), algorithms=["RS256", "ES256"])
            jwt.JWTClaimsRegistry(
                leeway=60,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.client_id},
                sub={"essential": True},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise OidcError("The sign-in could not be verified. Try again.") from exc
        return dict(token.claims)


def email_of(claims: dict[str, Any]) -> str:
    """The address the provider vouches for (Entra ID puts it in preferred_username)."""
    for name in ("email", "preferred_username", "upn"):
        value = claims.get(name)
        if isinstance(value, str) and "@" in value:
            return value.strip().lower()
    return ""


def match_user(db: Session, claims: dict[str, Any]) -> StaffUser:
    """The account for these claims; the first sign-in binds the provider's subject to it."""
    subject = str(claims["sub"])
    user = db.exec(select(StaffUser).where(StaffUser.oidc_subject == subject)).first()
    if user is None:
        email = email_of(claims)
        user = get_user_by_email(session=db, email=email) if email else None
        if user is None:
            raise OidcError(
                f"There is no Intake account for {email or 'this sign-in'}. Ask an admin to "
                "add you on the Users page."
            )
        if user.oidc_subject not in (None, subject):
            raise OidcError(
                "This Intake account is linked to a different single sign-on identity. Ask "
                "an admin."
            )
        user.oidc_subject = subject
        db.add(user)
    if not user.is_active:
        raise OidcError("Your Intake account is disabled. Ask an admin.")
    return user
