"""The slack-bolt app: one App for HTTP and Socket Mode, acknowledging only what is stored."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse

from connectors.slack import buttons, home, slash_command, ways_in
from connectors.slack.client import make_web_client
from connectors.slack.identity import BotIdentity
from intake.context import AppContext

log = logging.getLogger(__name__)


class IntakeApp(App):
    """The bolt App, holding what must be stopped with it."""

    identity: BotIdentity

    def close(self) -> None:
        """Stop learning the bot's identity and finish the lazy listeners in flight."""
        self.identity.stop()
        self.listener_runner.listener_executor.shutdown(wait=True)


def build_app(ctx: AppContext) -> IntakeApp:
    """The bolt App with every listener registered.

    process_before_response makes bolt run each ack function before it answers Slack, so a
    message is committed to the queue before Slack hears "received" (for events bolt would
    otherwise answer first). Slow work (cards, forms, replies) is in lazy listeners.
    """
    settings = ctx.settings
    if not settings.slack_enabled:
        raise RuntimeError(
            "Slack is off: set INTAKE_SLACK_SIGNING_SECRET and INTAKE_SLACK_BOT_TOKEN"
        )
    assert settings.slack_signing_secret is not None
    client = make_web_client(settings)
    identity = BotIdentity(client).learn_in_background()
    # bolt makes a fresh client per request and gives it the token `authorize` returns.
    request_client = make_web_client(settings)
    request_client.token = None
    app = IntakeApp(
        client=request_client,
        authorize=identity.authorize_function(),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        process_before_response=True,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("connectors.slack.bolt"),
    )
    app.identity = identity
    ways_in.register(app, ctx)
    slash_command.register(app, ctx)
    buttons.register(app, ctx)
    home.register(app, ctx)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        # Logged without the body, which holds residents' words. A 500 makes Slack retry
        # an event; nothing was acknowledged, so nothing is lost.
        log.error("Slack request failed: %s: %s", type(error).__name__, error)
        return BoltResponse(status=500, body="")

    return app
