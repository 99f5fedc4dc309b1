"""Events: DMs and mentions log messages; retries make one case; the ack never waits for the model."""

from __future__ import annotations

import threading
import time

import pytest
from sqlmodel import Session, select

from connectors.slack import accept
from connectors.slack.card_sync import sync_cards
from intake.worker import Worker, drain
from store.models import Case, Inbound, Message
from tests.connectors import slack_support
from tests.connectors.slack_mock import BOT_ID, BOT_USER
from tests.connectors.slack_support import SlackHarness, blocks_text, slack_ts

mock_slack = slack_support.mock_slack
slack_ctx = slack_support.slack_ctx
slack = slack_support.slack

WORDS = "Mr Patel says the mould in the bedroom is back and he is unhappy nobody came."


def _dm(clock, text: str = WORDS, **extra):  # type: ignore[no-untyped-def]
    return {
        "type": "message",
        "channel": "D0FRONT",
        "channel_type": "im",
        "user": "U0FRONT",
        "text": text,
        "ts": slack_ts(clock.now),
        **extra,
    }


def _count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return len(session.exec(select(model)).all())


def test_slack_retrying_an_event_three_times_makes_one_case(slack, engine, clock) -> None:
    event = _dm(clock)
    for retry in range(4):  # the delivery and Slack's three retries
        assert slack.event(event, event_id="Ev0RETRY", retry=retry).status_code == 200
    slack.settle()
    assert _count(engine, Case) == 1 and _count(engine, Inbound) == 1
    with Session(engine) as session:
        assert session.exec(select(Inbound)).one().receipts == 4
    assert len(slack.mock.of("chat.postMessage")) == 1  # one card, in the DM's thread


def test_a_retry_after_a_lost_first_delivery_still_makes_the_case(
    slack, engine, clock, monkeypatch
) -> None:
    real = accept.submit
    calls = {"n": 0}

    def flaky(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(accept, "submit", flaky)
    event = _dm(clock)
    first = slack.event(event, event_id="Ev0LOST")
    assert first.status_code == 500  # not acknowledged, so Slack will deliver it again
    assert _count(engine, Inbound) == 0
    assert slack.event(event, event_id="Ev0LOST", retry=1).status_code == 200
    slack.settle()
    assert _count(engine, Case) == 1
    # The retry's card still goes out: the first delivery never posted one.
    assert len(slack.mock.of("chat.postMessage")) == 1


def test_the_ack_is_fast_while_the_classifier_is_busy_and_the_card_follows(
    slack, engine, clock, fake_classifier
) -> None:
    release = threading.Event()
    started = threading.Event()

    class SlowClassifier:
        version = "slow-1"

        def predict(self, texts, channels=None):  # type: ignore[no-untyped-def]
            started.set()
            assert release.wait(30), "the test never released the classifier"
            return fake_classifier.predict(texts, channels)

    slack.ctx._classifier = SlowClassifier()
    worker = Worker(slack.ctx, idle_seconds=0.05)
    worker.start()
    try:
        assert (
            slack.event(_dm(clock, "First: the boiler is broken."), event_id="Ev1").status_code
            == 200
        )
        assert started.wait(10)  # the worker is now inside the classifier
        began = time.monotonic()
        response = slack.event(_dm(clock, WORDS, ts=slack_ts(clock.now, 300)), event_id="Ev2")
        elapsed = time.monotonic() - began
        assert response.status_code == 200
        assert elapsed < 3.0, f"Slack needs an answer within 3 seconds; took {elapsed:.1f}s"
        slack.settle()
        assert _count(engine, Case) == 2  # both stored before the classifier finished
        posted = slack.mock.of("chat.postMessage")
        assert len(posted) == 2 and "reading the message" in posted[1].args["text"]
    finally:
        release.set()
        worker.stop()
    drain(slack.ctx)
    assert sync_cards(slack.ctx, slack.web) == 2
    texts = [blocks_text(c.args["blocks"]) for c in slack.mock.of("chat.update")]
    assert any("Complaint?" in t for t in texts) and any("Service request?" in t for t in texts)


def test_a_mention_in_the_intake_channel_is_logged_without_the_mention(
    slack, engine, clock
) -> None:
    slack.ctx.settings.slack_intake_channel = "C0INTAKE"
    assert slack.bolt.identity.learnt.wait(10)  # the workspace's address, for the permalink
    ts = slack_ts(clock.now)
    event = {
        "type": "app_mention",
        "channel": "C0INTAKE",
        "user": "U0FRONT",
        "text": f"<@{BOT_USER}> {WORDS}",
        "ts": ts,
    }
    assert slack.event(event, event_id="EvMention").status_code == 200
    slack.settle()
    [post] = slack.mock.of("chat.postMessage")
    assert post.args["channel"] == "C0INTAKE" and post.args["thread_ts"] == ts
    drain(slack.ctx)
    with Session(engine) as session:
        message = session.exec(select(Message)).one()
        assert message.body_text == WORDS and message.meta["slack"]["via"] == "mention"
        assert message.meta["slack"]["author"] == "U0FRONT"
        assert message.meta["slack"]["permalink"] == (
            f"https://landlord.slack.com/archives/C0INTAKE/p{ts.replace('.', '')}"
        )


def test_a_mention_elsewhere_is_explained_not_logged(slack, engine, clock) -> None:
    slack.ctx.settings.slack_intake_channel = "C0INTAKE"
    event = {
        "type": "app_mention",
        "channel": "C0RANDOM",
        "user": "U0FRONT",
        "text": f"<@{BOT_USER}> {WORDS}",
        "ts": slack_ts(clock.now),
    }
    assert slack.event(event, event_id="EvElsewhere").status_code == 200
    slack.settle()
    [told] = slack.mock.of("chat.postEphemeral")
    assert "<#C0INTAKE>" in told.args["text"] and told.args["user"] == "U0FRONT"
    assert _count(engine, Case) == 0


@pytest.mark.parametrize(
    "extra",
    [
        {"bot_id": BOT_ID, "user": BOT_USER},  # the app's own card in the DM
        {"subtype": "message_changed"},  # an edit is not a new message
        {"subtype": "message_deleted"},
    ],
)
def test_messages_that_are_not_a_person_writing_are_ignored(slack, engine, clock, extra) -> None:
    assert slack.event(_dm(clock, **extra), event_id="EvIgnored").status_code == 200
    slack.settle()
    assert _count(engine, Inbound) == 0 and not slack.mock.of("chat.postMessage")


def test_a_reply_in_the_cards_thread_joins_that_case(slack, engine, clock) -> None:
    first = _dm(clock)
    slack.event(first, event_id="EvFirst")
    slack.settle()
    follow_up = _dm(
        clock, "She also says the extractor fan is broken.", ts=slack_ts(clock.now, 900)
    )
    follow_up["thread_ts"] = first["ts"]
    slack.event(follow_up, event_id="EvFollowUp")
    slack.settle()
    assert _count(engine, Case) == 1 and _count(engine, Inbound) == 2
    [added] = [c for c in slack.mock.of("chat.postMessage") if "Added to" in c.args["text"]]
    assert "INT-000001" in added.args["text"] and added.args["thread_ts"] == first["ts"]


def test_events_are_logged_even_while_slack_cannot_confirm_the_token(
    slack_ctx, mock_slack, engine, clock
) -> None:
    # bolt's default would answer 200 without running any listener: an event lost.
    mock_slack.fail("auth.test", "internal_error", times=50)
    harness = SlackHarness(slack_ctx, mock_slack)
    try:
        mention = {
            "type": "app_mention",
            "channel": "C0INTAKE",
            "user": "U0FRONT",
            "text": f"<@{BOT_USER}> {WORDS}",
            "ts": slack_ts(clock.now),
        }
        assert harness.event(mention, event_id="EvNoAuth").status_code == 200
        harness.settle()
        drain(harness.ctx)
        with Session(engine) as session:
            assert session.exec(select(Message)).one().body_text == WORDS
    finally:
        harness.close()
