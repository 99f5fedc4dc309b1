"""End to end: a shortcut on a message makes a case and a card; the card's buttons work the case."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from connectors.slack.card_sync import sync_cards
from connectors.slack.cards import ASSIGN, CONFIRM
from intake.worker import drain
from intake.workflow import Actor, acknowledge
from store.crud import QueueFilter, queue_query
from store.models import Case, CaseStatus, Event, Inbound, Label, Message, Role, SlackCard
from tests.connectors import slack_support
from tests.connectors.slack_support import blocks_text, link_user, slack_ts

mock_slack = slack_support.mock_slack
slack_ctx = slack_support.slack_ctx
slack = slack_support.slack

WORDS = (
    "Mrs Khan rang: she reported the leak in her kitchen twice and nobody came. "
    "She is unhappy and wants it fixed."
)


def _log_by_shortcut(slack, ts: str) -> Case:  # type: ignore[no-untyped-def]
    response = slack.shortcut(WORDS, ts=ts)
    assert response.status_code == 200
    slack.settle()
    with Session(slack.ctx.engine) as session:
        return session.exec(select(Case)).one()


def _card_value(call) -> str:  # type: ignore[no-untyped-def]
    actions = next(b for b in call.args["blocks"] if b["type"] == "actions")
    return actions["elements"][0]["value"]


def test_shortcut_makes_a_case_and_a_card_and_confirm_changes_both(
    slack, engine, clock, make_user
) -> None:
    lead = make_user("lead@landlord.example", Role.TEAM_LEAD)
    link_user(engine, lead, "U0LEAD")
    ts = slack_ts(clock.now)
    case = _log_by_shortcut(slack, ts)

    # The card replies in the message's thread at once, before the classifier has run.
    [post] = slack.mock.of("chat.postMessage")
    assert post.args["channel"] == "C0FRONTDESK" and post.args["thread_ts"] == ts
    assert case.reference in post.args["text"]
    [said] = slack.mock.wait_for("/response")
    assert case.reference in said.args["text"] and said.args["response_type"] == "ephemeral"

    # The worker triages it; the card updates in place with the proposal.
    drain(slack.ctx)
    assert sync_cards(slack.ctx, slack.web) == 1
    [update] = slack.mock.of("chat.update")
    assert update.args["ts"] == slack.mock.of("chat.postMessage")[0].args.get(
        "ts", update.args["ts"]
    )
    shown = blocks_text(update.args["blocks"])
    assert "Complaint? (90% sure)" in shown
    assert "reported the leak in her kitchen twice" in shown  # the drafted definition
    assert "water leak" in shown  # the hazard flag
    assert "Acknowledge by Mon 23 Nov 2026" in shown
    assert "https://intake.landlord.example/cases/" in shown

    with Session(engine) as session:
        [queued] = session.exec(queue_query(today=clock.now.date(), filters=QueueFilter())).all()
        assert queued.id == case.id and queued.channel.value == "slack"
        assert queued.resident_id is None  # the member of staff is not the complainant
        [message] = session.exec(select(Message).where(Message.case_id == case.id)).all()
        slack_meta = message.meta["slack"]
        assert slack_meta["author"] == "U0COLLEAGUE" and slack_meta["logged_by"] == "U0FRONT"
        assert slack_meta["permalink"] == (
            f"https://landlord.slack.com/archives/C0FRONTDESK/p{ts.replace('.', '')}"
        )
        assert message.body_text == WORDS

    # A team lead presses "Confirm: complaint" on the card.
    response = slack.press(CONFIRM[Label.COMPLAINT], _card_value(update), user="U0LEAD")
    assert response.status_code == 200
    [_, confirmed_card] = slack.mock.wait_for("chat.update", 2)
    with Session(engine) as session:
        case = session.get(Case, case.id)
        assert case.label is Label.COMPLAINT and case.status is CaseStatus.AWAITING_ACKNOWLEDGEMENT
        assert case.confirmed_by_id == lead.id
    shown = blocks_text(confirmed_card.args["blocks"])
    assert "Complaint, stage 1" in shown and "confirmed by Lead" in shown
    assert CONFIRM[Label.COMPLAINT] not in shown  # nothing left to confirm


def test_frontline_cannot_confirm_and_is_told_why(slack, engine, clock, make_user) -> None:
    front = make_user("front@landlord.example", Role.FRONTLINE)
    link_user(engine, front, "U0FRONT")
    case = _log_by_shortcut(slack, slack_ts(clock.now))
    drain(slack.ctx)
    sync_cards(slack.ctx, slack.web)
    [update] = slack.mock.of("chat.update")
    slack.press(CONFIRM[Label.COMPLAINT], _card_value(update), user="U0FRONT")
    [told] = slack.mock.wait_for("chat.postEphemeral")
    assert told.args["user"] == "U0FRONT"
    assert "Only a team lead or above can confirm" in told.args["text"]
    with Session(engine) as session:
        assert session.get(Case, case.id).status is CaseStatus.NEW


def test_an_unlinked_slack_user_is_linked_by_verified_email_but_a_guest_is_not(
    slack, engine, clock, make_user
) -> None:
    lead = make_user("lead@landlord.example", Role.TEAM_LEAD)
    slack.mock.users["U0LEAD"] = {"id": "U0LEAD", "profile": {"email": "Lead@Landlord.example"}}
    slack.mock.users["U0GUEST"] = {
        "id": "U0GUEST",
        "is_restricted": True,
        "profile": {"email": "lead@landlord.example"},
    }
    case = _log_by_shortcut(slack, slack_ts(clock.now))
    drain(slack.ctx)
    sync_cards(slack.ctx, slack.web)
    value = _card_value(slack.mock.of("chat.update")[0])

    slack.press(CONFIRM[Label.SERVICE_REQUEST], value, user="U0GUEST")
    [told] = slack.mock.wait_for("chat.postEphemeral")
    assert "not linked to an Intake staff account" in told.args["text"]

    slack.press(CONFIRM[Label.SERVICE_REQUEST], value, user="U0LEAD")
    slack.mock.wait_for("chat.update", 2)
    with Session(engine) as session:
        assert session.get(Case, case.id).status is CaseStatus.OPEN
        assert session.get(type(lead), lead.id).slack_user_id == "U0LEAD"


def test_logging_the_same_message_twice_makes_one_case(slack, engine, clock) -> None:
    ts = slack_ts(clock.now)
    _log_by_shortcut(slack, ts)
    slack.shortcut(WORDS, ts=ts, user="U0OTHER")
    said = slack.mock.wait_for("/response", 2)
    assert "already logged as" in said[1].args["text"]
    with Session(engine) as session:
        assert len(session.exec(select(Case)).all()) == 1
        assert len(session.exec(select(Inbound)).all()) == 1
    assert len(slack.mock.of("chat.postMessage")) == 1


def test_the_card_follows_changes_made_elsewhere(slack, engine, clock, make_user) -> None:
    lead = make_user("lead@landlord.example", Role.TEAM_LEAD)
    link_user(engine, lead, "U0LEAD")
    case = _log_by_shortcut(slack, slack_ts(clock.now))
    drain(slack.ctx)
    sync_cards(slack.ctx, slack.web)
    slack.press(
        CONFIRM[Label.COMPLAINT], _card_value(slack.mock.of("chat.update")[0]), user="U0LEAD"
    )
    slack.settle()
    # In the web app (or the API), someone acknowledges the complaint: same workflow.
    with Session(engine, expire_on_commit=False) as session:
        stored = session.get(Case, case.id)
        acknowledge(session, slack.ctx, stored, Actor.staff(lead))
        session.commit()
    assert sync_cards(slack.ctx, slack.web) == 1
    shown = blocks_text(slack.mock.of("chat.update")[-1].args["blocks"])
    assert "being investigated" in shown and "Respond by" in shown
    assert sync_cards(slack.ctx, slack.web) == 0  # nothing changed since


def test_assign_from_the_card(slack, engine, clock, make_user) -> None:
    lead = make_user("lead@landlord.example", Role.TEAM_LEAD)
    officer = make_user("officer@landlord.example", Role.TEAM_LEAD)
    link_user(engine, lead, "U0LEAD")
    link_user(engine, officer, "U0OFFICER")
    case = _log_by_shortcut(slack, slack_ts(clock.now))
    value = _card_value(slack.mock.of("chat.postMessage")[0])
    slack.press(
        ASSIGN, value, user="U0LEAD", extra={"type": "users_select", "selected_user": "U0OFFICER"}
    )
    update = slack.mock.wait_for("chat.update")[-1]
    assert "assigned to Officer" in blocks_text(update.args["blocks"])
    with Session(engine) as session:
        assert session.get(Case, case.id).assignee_id == officer.id
        assert session.exec(select(Event).where(Event.kind == "assigned")).one().actor == "Lead"

    slack.press(
        ASSIGN, value, user="U0LEAD", extra={"type": "users_select", "selected_user": "U0NOBODY"}
    )
    [told] = slack.mock.wait_for("chat.postEphemeral")
    assert "no Intake staff account" in told.args["text"]


def test_a_card_that_cannot_go_in_the_channel_goes_by_dm_and_slack_outages_are_retried(
    slack, engine, clock
) -> None:
    # A private channel the app is not in; the DM fails too (Slack is having a bad minute).
    slack.mock.fail("chat.postMessage", "not_in_channel")
    slack.mock.fail("chat.postMessage", "internal_error")
    slack.mock.fail("chat.postMessage", "not_in_channel")
    slack.shortcut(WORDS, ts=slack_ts(clock.now))
    slack.settle()
    with Session(engine) as session:
        card = session.exec(select(SlackCard)).one()
        assert card.ts is None and card.last_error == "internal_error"
    assert sync_cards(slack.ctx, slack.web) == 0  # waiting before it tries again
    clock.advance(minutes=1)
    assert sync_cards(slack.ctx, slack.web) == 1
    posts = slack.mock.of("chat.postMessage")
    assert [p.args["channel"] for p in posts] == [
        "C0FRONTDESK",
        "U0FRONT",
        "C0FRONTDESK",
        "U0FRONT",
    ]
    with Session(engine) as session:
        card = session.exec(select(SlackCard)).one()
        assert card.ts is not None and card.channel == "D0FRONT" and card.thread_ts is None


def test_card_buttons_carry_the_version_so_a_stale_card_cannot_confirm(
    slack, engine, clock, make_user
) -> None:
    lead = make_user("lead@landlord.example", Role.TEAM_LEAD)
    link_user(engine, lead, "U0LEAD")
    case = _log_by_shortcut(slack, slack_ts(clock.now))
    drain(slack.ctx)
    stale = json.dumps({"case": case.id, "version": 1})
    slack.press(CONFIRM[Label.OTHER], stale, user="U0LEAD")
    [told] = slack.mock.wait_for("chat.postEphemeral")
    assert "changed by someone else" in told.args["text"]
    with Session(engine) as session:
        assert session.get(Case, case.id).status is CaseStatus.NEW


@pytest.fixture(scope="module")
def bundled_classifier():  # type: ignore[no-untyped-def]
    from classifier.model import bundled_model_dir

    if not (bundled_model_dir() / "model.safetensors").exists():
        pytest.skip("no bundled model in classifier/bundled/ yet (the classifier issue ships it)")
    from classifier.model import Classifier

    return Classifier.load()


def test_end_to_end_with_the_bundled_model(
    slack, engine, clock, make_user, bundled_classifier
) -> None:
    lead = make_user("lead@landlord.example", Role.TEAM_LEAD)
    link_user(engine, lead, "U0LEAD")
    slack.ctx._classifier = bundled_classifier
    words = (
        "Message from Mr Adeyemi: I reported the damp and black mould in my son's bedroom "
        "three times since March and nobody has come. I am very unhappy with how this has "
        "been handled and I want the mould treated."
    )
    slack.shortcut(words, ts=slack_ts(clock.now))
    slack.settle()
    drain(slack.ctx)
    assert sync_cards(slack.ctx, slack.web) == 1
    update = slack.mock.of("chat.update")[-1]
    shown = blocks_text(update.args["blocks"])
    assert "Complaint?" in shown and "damp and mould" in shown
    slack.press(CONFIRM[Label.COMPLAINT], _card_value(update), user="U0LEAD")
    slack.settle()
    with Session(engine) as session:
        case = session.exec(select(Case)).one()
        assert case.label is Label.COMPLAINT and case.definition["issues"]
    assert "Complaint, stage 1" in blocks_text(slack.mock.of("chat.update")[-1].args["blocks"])
