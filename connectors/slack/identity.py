"""Who the app is in Slack (its bot user and bot ids), learnt once from auth.test, off the ack path.

bolt's default single-workspace authorisation calls auth.test on the first request, inside
the acknowledgement, and answers 200 without running any listener if that call fails: an
event would be acknowledged and lost. Here the call happens in the background at start-up,
and every request is authorised at once with the bot token and whatever ids are known.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from connectors.slack.client import failure_reason

log = logging.getLogger(__name__)

ATTEMPTS = 8


class BotIdentity:
    """The bot's identity, and a bolt authorize function that never waits on the network."""

    def __init__(self, client: WebClient):
        assert client.token, "the Web API client needs the bot token"
        self.client = client
        self.token = client.token
        self.bot_user_id: str | None = None
        self.bot_id: str | None = None
        self.url: str | None = None  # the workspace's address, for permalinks
        self.learnt = threading.Event()
        self._stop = threading.Event()

    def learn_in_background(self) -> BotIdentity:
        """Ask Slack who the bot is, retrying with a growing pause until it answers."""
        threading.Thread(target=self._learn, name="slack-identity", daemon=True).start()
        return self

    def _learn(self) -> None:
        for attempt in range(ATTEMPTS):
            try:
                answer = self.client.auth_test()
                self.bot_user_id = answer.get("user_id")
                self.bot_id = answer.get("bot_id")
                self.url = answer.get("url")
                self.learnt.set()
                return
            except (SlackApiError, OSError) as exc:
                log.warning("Slack auth.test failed (%s); retrying", failure_reason(exc))
                if self._stop.wait(min(2**attempt, 60)):
                    return
        log.error("Slack did not confirm the bot token; check INTAKE_SLACK_BOT_TOKEN")

    def stop(self) -> None:
        """Stop retrying (the app is shutting down)."""
        self._stop.set()

    def result(
        self, enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        """What bolt needs to run a request's listeners; no network call."""
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=self.token,
            bot_user_id=self.bot_user_id,
            bot_id=self.bot_id,
            user_id=user_id,
            url=self.url,
        )

    def authorize_function(self) -> Callable[..., AuthorizeResult]:
        """A plain function for App(authorize=...): bolt passes arguments by their names."""

        def authorize(
            enterprise_id: str | None, team_id: str | None, user_id: str | None
        ) -> AuthorizeResult:
            return self.result(enterprise_id, team_id, user_id)

        return authorize
