"""One settings object, read once at start from INTAKE_* variables and an optional TOML file."""

from __future__ import annotations

import importlib.util
import os
import tomllib
from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET = "change-me-development-only"  # noqa: S105 - refused outside development


class Nation(StrEnum):
    """The UK nation whose bank holidays define working days."""

    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"


class CodeLimits:
    """The Complaint Handling Code's maxima in working days; no setting may exceed them."""

    ACKNOWLEDGE = 5  # 6.2, 6.11
    STAGE1_RESPONSE = 10  # 6.3
    STAGE1_EXTENSION = 10  # 6.4
    STAGE2_RESPONSE = 20  # 6.14
    STAGE2_EXTENSION = 20  # 6.15


class Policy(BaseModel):
    """A landlord's own targets, in working days; each is capped by the Code (6.2-6.16)."""

    acknowledge_days: int = Field(CodeLimits.ACKNOWLEDGE, ge=1)
    stage1_response_days: int = Field(CodeLimits.STAGE1_RESPONSE, ge=1)
    stage1_extension_days: int = Field(CodeLimits.STAGE1_EXTENSION, ge=1)
    stage2_acknowledge_days: int = Field(CodeLimits.ACKNOWLEDGE, ge=1)
    stage2_response_days: int = Field(CodeLimits.STAGE2_RESPONSE, ge=1)
    stage2_extension_days: int = Field(CodeLimits.STAGE2_EXTENSION, ge=1)

    @model_validator(mode="after")
    def _within_code_caps(self) -> Policy:
        caps = {
            "acknowledge_days": CodeLimits.ACKNOWLEDGE,
            "stage1_response_days": CodeLimits.STAGE1_RESPONSE,
            "stage1_extension_days": CodeLimits.STAGE1_EXTENSION,
            "stage2_acknowledge_days": CodeLimits.ACKNOWLEDGE,
            "stage2_response_days": CodeLimits.STAGE2_RESPONSE,
            "stage2_extension_days": CodeLimits.STAGE2_EXTENSION,
        }
        for name, cap in caps.items():
            if getattr(self, name) > cap:
                raise ValueError(
                    f"{name}={getattr(self, name)} exceeds the Complaint Handling Code's "
                    f"maximum of {cap} working days"
                )
        return self


class Ombudsman(BaseModel):
    """The Housing Ombudsman's contact details, quoted in letters (2.4, 6.5, 6.19)."""

    name: str = "Housing Ombudsman Service"
    telephone: str = "0300 111 3000"
    website: str = "www.housing-ombudsman.org.uk"
    address: str = "PO Box 152, Liverpool, L33 7WQ"
    email: str = "info@housing-ombudsman.org.uk"


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CsvList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """Everything configurable, with embedded defaults that run on one machine."""

    model_config = SettingsConfigDict(
        env_prefix="INTAKE_", env_nested_delimiter="__", extra="ignore", validate_default=True
    )

    environment: str = "development"
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    data_dir: Path = Path("var")
    database_url: str = ""

    http_host: str = "127.0.0.1"
    http_port: int = 8000
    public_url: str = ""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_recipients: CsvList = Field(default_factory=list)
    smtp_max_message_bytes: int = 25 * 1024 * 1024
    smtp_tls_cert: Path | None = None
    smtp_tls_key: Path | None = None
    smtp_auth_required: bool = False
    smtp_require_tls: bool = False  # refuse MAIL until STARTTLS (needs cert and key)
    smtp_auth_username: str = ""
    smtp_auth_password: SecretStr = SecretStr("")

    relay_host: str = ""
    relay_port: int = 25
    relay_username: str = ""
    relay_password: SecretStr = SecretStr("")
    relay_starttls: bool = False
    mail_from: str = "complaints@landlord.example"
    relay_timeout_seconds: float = Field(30.0, gt=0)
    outbound_max_attempts: int = Field(8, ge=1)

    model_dir: Path | None = None
    classify_batch_size: int = 32
    review_threshold: float = Field(0.8, ge=0, le=1)

    nation: Nation = Nation.ENGLAND
    timezone: str = "Europe/London"
    policy: Policy = Field(default_factory=Policy)
    ombudsman: Ombudsman = Field(default_factory=Ombudsman)
    landlord_name: str = "Your Landlord"
    emergency_phone: str = "0800 000 0000"
    homes_count: int = Field(0, ge=0)

    slack_signing_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_intake_channel: str = ""
    slack_digest_channel: str = ""
    slack_api_url: str = "https://slack.com/api/"
    # Link a Slack user to the active staff account with the same Slack-verified email address.
    slack_link_by_email: bool = True
    # The daily digest goes out at this local time, on working days.
    slack_digest_time: time = time(8, 0)
    slack_card_poll_seconds: float = Field(2.0, gt=0)

    chat_allowed_origins: CsvList = Field(default_factory=list)
    chat_max_message_chars: int = 4000
    # The chat's words; entries left out keep the built-in ones (connectors/webchat/wording.toml).
    chat_wording_file: Path | None = None
    # Rate limits in the `limits` package's notation, e.g. "10/minute;3/5 seconds".
    chat_rate_limit: str = "12/minute;4/5 seconds"  # per connection
    chat_address_rate_limit: str = "60/minute"  # per client address, all its chats together
    chat_max_connections_per_address: int = Field(20, ge=1)
    # Where the turn counts live, as a `limits` storage URI: "memory://" counts in each
    # process; "redis://host:6379/0" shares them between workers and servers (and may hold
    # a password, hence secret).
    chat_rate_limit_storage: SecretStr = SecretStr("memory://")

    session_idle_minutes: int = Field(30, ge=1)
    # A staff web session ends this long after sign-in, however active (idle expiry aside).
    session_max_hours: int = Field(12, ge=1)
    # Single sign-on with OpenID Connect (e.g. Microsoft Entra ID
    # https://login.microsoftonline.com/<tenant id>/v2.0); off while the issuer is empty.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")
    oidc_label: str = "Sign in with Microsoft"
    workers: int = Field(1, ge=0)
    max_message_chars: int = 100_000

    @field_validator("smtp_recipients", "chat_allowed_origins", mode="before")
    @classmethod
    def _csv(cls, value: Any) -> Any:
        return _split_csv(value)

    @field_validator("chat_rate_limit_storage")
    @classmethod
    def _rate_limit_store(cls, value: SecretStr) -> SecretStr:
        # The message never repeats the value: it may hold a password.
        scheme = value.get_secret_value().strip().split("://", 1)[0]
        if scheme not in ("memory", "redis", "rediss"):
            raise ValueError("use memory:// or redis://host:6379/0")
        if scheme != "memory" and importlib.util.find_spec("redis") is None:
            raise ValueError("a Redis store needs the redis package: pip install 'intake[redis]'")
        return value

    @model_validator(mode="after")
    def _derived_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'intake.db'}"
        if not self.public_url:
            self.public_url = f"http://{self.http_host}:{self.http_port}"
        if (
            self.environment != "development"
            and self.secret_key.get_secret_value() == DEFAULT_SECRET
        ):
            raise ValueError("INTAKE_SECRET_KEY must be set outside development")
        return self

    @property
    def slack_enabled(self) -> bool:
        """Slack is on only when both the signing secret and the bot token are set."""
        return self.slack_signing_secret is not None and self.slack_bot_token is not None

    @property
    def chat_origins(self) -> list[str]:
        """Origins allowed to open the chat: configured, else the server's own."""
        return self.chat_allowed_origins or [self.public_url]


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from an optional TOML file, then INTAKE_* variables, then overrides."""
    path = config_file or (
        Path(os.environ["INTAKE_CONFIG"]) if "INTAKE_CONFIG" in os.environ else None
    )
    file_values: dict[str, Any] = {}
    if path is not None:
        with path.open("rb") as fh:
            file_values = tomllib.load(fh)
    env_settings = Settings(**overrides)
    if not file_values:
        return env_settings
    # Environment variables win over the file; explicit overrides win over both.
    merged = {**file_values, **env_settings.model_dump(exclude_unset=True), **overrides}
    return Settings(**merged)
