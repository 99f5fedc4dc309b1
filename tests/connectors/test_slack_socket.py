"""Socket Mode: the same app over a websocket, for sites that cannot expose /slack/events."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import Session, select
from websockets.sync.server import Server, ServerConnection, serve

from connectors import slack_socket
from store.models import Case, Inbound
from tests.connectors import slack_support
from tests.connectors.slack_mock import APP_TOKEN, TEAM, MockSlack
from tests.connectors.slack_support import slack_ts

mock_slack = slack_support.mock_slack
slack_ctx = slack_support.slack_ctx


class FakeSocketModeServer:
    """Plays Slack's side of Socket Mode: says hello, sends one envelope, collects the acks."""

    def __init__(self, envelope: dict[str, Any]):
        self.envelope = envelope
        self.acks: queue.Queue[dict[str, Any]] = queue.Queue()
        self.server: Server = serve(self._session, "127.0.0.1", 0)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link/?ticket=t"

    def _session(self, ws: ServerConnection) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1}))
        ws.send(json.dumps(self.envelope))
        for message in ws:
            self.acks.put(json.loads(message))


@pytest.fixture
def socket_server(mock_slack: MockSlack, clock) -> Iterator[FakeSocketModeServer]:  # type: ignore[no-untyped-def]
    envelope = {
        "envelope_id": "env-0001",
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": 0,
        "payload": {
            "type": "event_callback",
            "team_id": TEAM["id"],
            "event_id": "EvSocket",
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D0FRONT",
                "user": "U0FRONT",
                "text": "Miss Lee says nobody came about the broken heating and she is unhappy.",
                "ts": slack_ts(clock.now),
            },
        },
    }
    server = FakeSocketModeServer(envelope)
    mock_slack.socket_url = server.url
    yield server
    server.server.shutdown()


def test_socket_mode_logs_the_message_then_acknowledges_it(
    slack_ctx, mock_slack, socket_server, engine
) -> None:
    slack_ctx.settings = slack_ctx.settings.model_copy(
        update={"slack_app_token": SecretStr(APP_TOKEN)}
    )
    service = slack_socket.start(slack_ctx)
    assert service is not None and "Socket Mode" in service.describe()
    try:
        ack = socket_server.acks.get(timeout=10)
        assert ack["envelope_id"] == "env-0001"
        # The ack went out after the message was stored.
        with Session(engine) as session:
            assert len(session.exec(select(Inbound)).all()) == 1
            assert len(session.exec(select(Case)).all()) == 1
        [post] = mock_slack.wait_for("chat.postMessage")
        assert post.args["channel"] == "D0FRONT"
        [opened] = mock_slack.of("apps.connections.open")
        assert opened.token == APP_TOKEN
    finally:
        service.stop()
