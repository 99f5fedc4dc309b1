"""Only Slack gets in: signatures are checked; tokens and the signing secret never reach the logs."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlmodel import Session, select

from connectors.slack import mount
from connectors.slack.cards import CONFIRM
from intake.worker import drain
from store.models import Case, Inbound, Label, Role
from tests.connectors import slack_support
from tests.connectors.slack_mock import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, TEAM, sign
from tests.connectors.slack_support import SlackHarness, link_user, slack_ts

mock_slack = slack_support.mock_slack
slack_ctx = slack_support.slack_ctx
slack = slack_support.slack


def _bodies(clock) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """An event, a shortcut and a slash command, each as Slack would send it."""
    event = json.dumps(
        {
            "type": "event_callback",
            "team_id": TEAM["id"],
            "event_id": "EvSigned",
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D0FRONT",
                "user": "U0FRONT",
                "text": "The gas smell is back and nobody came.",
                "ts": slack_ts(clock.now),
            },
        }
    )
    shortcut = urlencode(
        {
            "payload": json.dumps(
                {
                    "type": "message_action",
                    "callback_id": "log_with_intake",
                    "team": TEAM,
                    "user": {"id": "U0FRONT"},
                    "channel": {"id": "C0FRONTDESK"},
                    "message": {"text": "Nobody came about the leak.", "ts": slack_ts(clock.now)},
                    "response_url": "http://127.0.0.1:9/response",
                    "trigger_id": "1.2.3",
                }
            )
        }
    )
    command = urlencode({"command": "/intake", "text": "help", "user_id": "U0FRONT"})
    form = "application/x-www-form-urlencoded"
    return [(event, "application/json"), (shortcut, form), (command, form)]


@pytest.mark.parametrize("kind", [0, 1, 2], ids=["event", "shortcut", "command"])
@pytest.mark.parametrize(
    "forgery", ["bad signature", "missing headers", "six minutes old", "other secret"]
)
def test_unsigned_forged_or_stale_requests_get_401_and_change_nothing(
    slack, engine, clock, kind, forgery
) -> None:
    body, content_type = _bodies(clock)[kind]
    headers = {"Content-Type": content_type}
    if forgery == "bad signature":
        headers |= sign(body) | {"X-Slack-Signature": "v0=" + "0" * 64}
    elif forgery == "six minutes old":
        headers |= sign(body, timestamp=int(time.time()) - 6 * 60)
    elif forgery == "other secret":
        headers |= sign(body, secret="not-the-signing-secret-at-all")
    response = slack.client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    slack.settle()
    with Session(engine) as session:
        assert session.exec(select(Inbound)).all() == []
    # Nothing ran: no listener called Slack (auth.test is the app learning its own id at start).
    assert [c.method for c in slack.mock.calls if c.method != "auth.test"] == []


def test_a_signed_request_from_4_minutes_ago_is_still_accepted(slack, engine, clock) -> None:
    body, content_type = _bodies(clock)[0]
    headers = {"Content-Type": content_type, **sign(body, timestamp=int(time.time()) - 4 * 60)}
    assert slack.client.post("/slack/events", content=body, headers=headers).status_code == 200


def test_tokens_and_the_signing_secret_never_reach_the_logs(
    slack_ctx, mock_slack, engine, clock, make_user, caplog, capfd
) -> None:
    caplog.set_level(logging.DEBUG)  # the most the libraries ever log
    slack_ctx.settings = slack_ctx.settings.model_copy(
        update={"slack_app_token": SecretStr(APP_TOKEN)}
    )
    lead = make_user("lead@landlord.example", Role.TEAM_LEAD)
    link_user(engine, lead, "U0LEAD")
    harness = SlackHarness(slack_ctx, mock_slack)
    try:
        body, content_type = _bodies(clock)[0]
        harness.post(body, content_type)  # a DM: stored, carded
        harness.client.post("/slack/events", content=body, headers={"X-Slack-Signature": "v0=x"})
        mock_slack.fail("chat.update", "ratelimited")
        harness.settle()
        drain(harness.ctx)
        with Session(engine) as session:
            case = session.exec(select(Case)).one()
        value = json.dumps({"case": case.id, "version": case.version})
        harness.press(CONFIRM[Label.COMPLAINT], value, user="U0LEAD")
        harness.settle()
        # Whoever logs a token by mistake, it comes out redacted.
        logging.getLogger("somewhere.else").warning("oops %s %s", BOT_TOKEN, SIGNING_SECRET)
        try:
            raise RuntimeError(f"token was {APP_TOKEN}")
        except RuntimeError:
            logging.getLogger("somewhere.else").exception("failed")
    finally:
        harness.close()
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    printed = capfd.readouterr()
    assert "chat.postMessage" in logged  # the Web API calls were logged, at debug level
    assert "[redacted]" in logged
    for secret in (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN):
        assert secret not in logged
        assert secret not in printed.out + printed.err


def test_slack_is_off_without_both_secrets(ctx) -> None:
    app = FastAPI()
    assert mount(app, ctx) is None
    assert TestClient(app).post("/slack/events", content="{}").status_code == 404


def test_the_product_app_serves_slack_at_slack_events(slack_ctx, mock_slack) -> None:
    from intake.app import create_app

    app = create_app(slack_ctx)
    try:
        with TestClient(app) as client:
            body = urlencode({"command": "/intake", "text": "help", "user_id": "U0FRONT"})
            form = {"Content-Type": "application/x-www-form-urlencoded"}
            assert client.post("/slack/events", content=body, headers=form).status_code == 401
            signed = client.post("/slack/events", content=body, headers=form | sign(body))
            assert signed.status_code == 200 and "/intake` opens a form" in signed.text
    finally:
        app.state.slack_app.close()
