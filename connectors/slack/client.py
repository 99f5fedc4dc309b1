"""The Slack Web API client every part of the connector shares, with secrets kept out of logs."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from connectors.slack.redact import protect
from intake.settings import Settings

TIMEOUT_SECONDS = 10


def secrets_of(settings: Settings) -> list[str]:
    """Every Slack secret in the settings, so logs can be scrubbed of them."""
    values = (settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token)
    return [v.get_secret_value() for v in values if v is not None]


def make_web_client(settings: Settings) -> WebClient:
    """A Web API client for the bot token, pointed at Settings.slack_api_url."""
    if settings.slack_bot_token is None:
        raise RuntimeError("INTAKE_SLACK_BOT_TOKEN is not set")
    protect(secrets_of(settings))
    base_url = settings.slack_api_url.rstrip("/") + "/"
    client = WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=base_url,
        timeout=TIMEOUT_SECONDS,
    )
    # Slack answers 429 when we post too fast; wait as told and try again, twice at most.
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client


def failure_reason(exc: BaseException) -> str:
    """Why a Web API call failed, in a few words and without any secret."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or "error")
    return type(exc).__name__
