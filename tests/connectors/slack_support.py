"""The Slack test harness: the Slack endpoint, the mock Web API, signed requests, fixtures."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from connectors.slack import mount
from connectors.slack.client import make_web_client
from intake.context import AppContext
from tests.connectors.slack_mock import (
    BOT_TOKEN,
    SIGNING_SECRET,
    TEAM,
    MockSlack,
    sign,
)


class TrackingExecutor(ThreadPoolExecutor):
    """A thread pool that knows when all it was given has finished."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1

        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

        return super().submit(run)

    def wait_idle(self, timeout: float) -> None:
        with self._idle:
            if not self._idle.wait_for(lambda: self._pending == 0, timeout):
                raise AssertionError("Slack lazy listeners did not finish in time")


class SlackHarness:
    """The web app with Slack on, the mock Web API, and ways to send signed requests."""

    def __init__(self, ctx: AppContext, mock: MockSlack):
        self.ctx = ctx
        self.mock = mock
        # Only the Slack endpoint: these tests do not depend on the other parts of the web app.
        self.app = FastAPI()
        self.app.state.ctx = ctx
        mount(self.app, ctx)
        self.client = TestClient(self.app)
        self.bolt = self.app.state.slack_app
        self.web = make_web_client(ctx.settings)  # what the card sync and digest services use
        # Count lazy listeners in flight, so tests wait for them rather than sleep.
        self.lazy = TrackingExecutor(max_workers=8, thread_name_prefix="slack-lazy-test")
        runner = self.bolt.listener_runner
        runner.listener_executor = self.lazy
        runner.lazy_listener_runner.executor = self.lazy

    def post(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> Any:
        all_headers = {"Content-Type": content_type, **sign(body), **(headers or {})}
        return self.client.post("/slack/events", content=body, headers=all_headers)

    def event(self, event: dict[str, Any], event_id: str = "Ev0001", retry: int = 0) -> Any:
        body = json.dumps(
            {
                "token": "verification-token-unused",
                "team_id": TEAM["id"],
                "api_app_id": "A0APP",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "event": event,
            }
        )
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(body, "application/json", headers if retry else None)

    def interact(self, payload: dict[str, Any]) -> Any:
        payload = {"team": TEAM, "api_app_id": "A0APP", "token": "unused", **payload}
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded")

    def command(self, text: str, user: str = "U0FRONT", channel: str = "C0GENERAL") -> Any:
        body = urlencode(
            {
                "command": "/intake",
                "text": text,
                "user_id": user,
                "user_name": "front",
                "channel_id": channel,
                "team_id": TEAM["id"],
                "team_domain": TEAM["domain"],
                "trigger_id": "13345224609.738474920.8088930838d88f008e0",
                "response_url": self.mock.response_url + "/command",
            }
        )
        return self.post(body, "application/x-www-form-urlencoded")

    def shortcut(
        self,
        text: str,
        *,
        ts: str = "1763283600.000200",
        user: str = "U0FRONT",
        channel: str = "C0FRONTDESK",
        author: str = "U0COLLEAGUE",
    ) -> Any:
        return self.interact(
            {
                "type": "message_action",
                "callback_id": "log_with_intake",
                "trigger_id": "13345224609.738474920.8088930838d88f008e0",
                "response_url": self.mock.response_url + "/shortcut",
                "user": {"id": user, "name": "front"},
                "channel": {"id": channel, "name": "front-desk"},
                "message_ts": ts,
                "message": {"type": "message", "user": author, "text": text, "ts": ts},
            }
        )

    def press(
        self,
        action_id: str,
        value: str,
        *,
        user: str,
        channel: str = "C0FRONTDESK",
        message_ts: str = "",
        extra: dict[str, Any] | None = None,
    ) -> Any:
        action = {
            "action_id": action_id,
            "block_id": f"case:{value}",
            "value": value,
            "type": "button",
            **(extra or {}),
        }
        return self.interact(
            {
                "type": "block_actions",
                "user": {"id": user, "name": user.lower()},
                "trigger_id": "13345224609.738474920.8088930838d88f008e0",
                "container": {"type": "message", "channel_id": channel, "message_ts": message_ts},
                "channel": {"id": channel},
                "response_url": self.mock.response_url + "/action",
                "actions": [action],
            }
        )

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every lazy listener has finished."""
        self.lazy.wait_idle(timeout)

    def close(self) -> None:
        self.lazy.shutdown(wait=True)
        self.bolt.close()
        self.client.close()


@pytest.fixture
def mock_slack() -> Iterator[MockSlack]:
    mock = MockSlack().start()
    yield mock
    mock.stop()


@pytest.fixture
def slack_ctx(ctx: AppContext, mock_slack: MockSlack) -> AppContext:
    """The test context with Slack switched on and pointed at the mock Web API."""
    ctx.settings = ctx.settings.model_copy(
        update={
            "slack_signing_secret": SecretStr(SIGNING_SECRET),
            "slack_bot_token": SecretStr(BOT_TOKEN),
            "slack_api_url": mock_slack.url,
            "public_url": "https://intake.landlord.example",
        }
    )
    return ctx


@pytest.fixture
def slack(slack_ctx: AppContext, mock_slack: MockSlack) -> Iterator[SlackHarness]:
    harness = SlackHarness(slack_ctx, mock_slack)
    yield harness
    harness.close()


def slack_ts(moment: Any, micro: int = 200) -> str:
    """A Slack message ts for a moment (seconds since the epoch, with a unique suffix)."""
    return f"{int(moment.timestamp())}.{micro:06d}"


def link_user(engine: Any, user: Any, slack_user_id: str) -> None:
    """Link a staff account to a Slack user, as `intake slack link` does."""
    from sqlmodel import Session

    from store.models import StaffUser

    with Session(engine) as session:
        account = session.get(StaffUser, user.id)
        assert account is not None
        account.slack_user_id = slack_user_id
        session.add(account)
        session.commit()


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    """Every piece of text in a Block Kit message, for asserting what people see."""
    return json.dumps(blocks, ensure_ascii=False)
