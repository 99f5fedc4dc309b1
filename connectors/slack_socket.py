"""`intake serve` service: Slack over Socket Mode, for sites that cannot expose /slack/events."""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode import SocketModeHandler

from connectors.slack.bolt_app import build_app
from connectors.slack.client import secrets_of
from connectors.slack.redact import protect
from intake.context import AppContext

log = logging.getLogger(__name__)


class SocketMode:
    """One Socket Mode connection; slack-sdk reconnects it by itself when it drops."""

    def __init__(self, ctx: AppContext):
        assert ctx.settings.slack_app_token is not None
        protect(secrets_of(ctx.settings))
        self.app = build_app(ctx)
        self.handler = SocketModeHandler(
            self.app, app_token=ctx.settings.slack_app_token.get_secret_value()
        )

    def start(self) -> SocketMode:
        self.handler.connect()  # returns once connected; messages arrive on its threads
        return self

    def describe(self) -> str:
        return "slack: Socket Mode connected (events, shortcuts, commands and buttons)"

    def stop(self) -> None:
        self.handler.close()
        self.app.close()


def start(ctx: AppContext) -> SocketMode | None:
    """Connect over Socket Mode when Slack and an app-level token (xapp-) are configured."""
    if not ctx.settings.slack_enabled or ctx.settings.slack_app_token is None:
        return None
    try:
        return SocketMode(ctx).start()
    except Exception as exc:
        # Keep serving everything else; Slack's HTTP endpoint still works if it is exposed.
        log.error("Slack Socket Mode could not connect: %s", exc)
        return None
