"""The /intake form and the "Edit definition" form: what staff type becomes the case record."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from connectors.slack.cards import EDIT_DEFINITION
from connectors.slack.definition_form import CALLBACK as DEFINITION
from connectors.slack.log_form import CALLBACK as LOG_FORM
from intake.worker import drain
from store.models import Case, Channel, Event, Representative, Resident, Role
from tests.connectors import slack_support
from tests.connectors.slack_support import link_user

mock_slack = slack_support.mock_slack
slack_ctx = slack_support.slack_ctx
slack = slack_support.slack

WORDS = "Mrs Okafor phoned: she is unhappy that the repair to her front door was cancelled twice."


def _submit(slack, view: dict[str, Any], values: dict[str, Any], user: str = "U0FRONT") -> Any:  # type: ignore[no-untyped-def]
    state = {block: {"value": value} for block, value in values.items()}
    return slack.interact(
        {
            "type": "view_submission",
            "user": {"id": user, "name": user.lower()},
            "view": {**view, "id": "V0FORM" + user, "state": {"values": state}},
        }
    )


def _text(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def _opened_form(slack, text: str = "") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = slack.command(text, channel="C0FRONTDESK")
    assert response.status_code == 200
    slack.settle()
    [opened] = slack.mock.of("views.open")
    return opened.args["view"]


def test_slash_command_opens_the_form_filled_with_what_was_typed(slack) -> None:
    view = _opened_form(slack, "Mr Jones says the lift is broken again")
    assert view["callback_id"] == LOG_FORM
    words = next(b for b in view["blocks"] if b.get("block_id") == "words")
    assert words["element"]["initial_value"] == "Mr Jones says the lift is broken again"
    labels = json.dumps(view["blocks"])
    for asked in ("What did the resident say?", "How did they contact us?", "Someone acting"):
        assert asked in labels


def test_help_answers_at_once_without_a_form(slack) -> None:
    response = slack.command("help")
    assert response.status_code == 200 and "/intake` opens a form" in response.text
    slack.settle()
    assert slack.mock.of("views.open") == []


def test_the_form_refuses_what_cannot_be_logged_and_says_why(slack, engine, clock) -> None:
    view = _opened_form(slack)
    future = int((clock.now + timedelta(days=2)).timestamp())
    response = _submit(
        slack,
        view,
        {
            "words": _text("   "),
            "when": {"type": "datetimepicker", "selected_date_time": future},
            "email": _text("not an address"),
            "rep_consent": {"type": "checkboxes", "selected_options": [{"value": "yes"}]},
        },
    )
    body = response.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"words", "when", "email", "rep_name"}
    with Session(engine) as session:
        assert session.exec(select(Case)).all() == []


def test_a_submitted_form_makes_a_case_for_the_resident_with_their_representative(
    slack, engine, clock
) -> None:
    view = _opened_form(slack)
    told_at = clock.now - timedelta(hours=2)
    response = _submit(
        slack,
        view,
        {
            "words": _text(WORDS),
            "how": {"selected_option": {"value": "phone"}},
            "when": {"selected_date_time": int(told_at.timestamp())},
            "name": _text("Mrs Okafor"),
            "phone": _text("07700 900456"),
            "rep_name": _text("Cllr Begum"),
            "rep_relationship": _text("ward councillor"),
            "rep_consent": {"selected_options": [{"value": "yes"}]},
        },
    )
    body = response.json()
    assert body["response_action"] == "update" and "INT-000001" in json.dumps(body["view"])
    slack.settle()
    [card] = slack.mock.of("chat.postMessage")
    assert card.args["channel"] == "C0FRONTDESK" and "INT-000001" in card.args["text"]
    drain(slack.ctx)
    with Session(engine) as session:
        case = session.exec(select(Case)).one()
        assert case.channel is Channel.PHONE and case.received_at == told_at.replace(microsecond=0)
        resident = session.get(Resident, case.resident_id)
        assert resident is not None and resident.name == "Mrs Okafor"
        assert resident.phone == "07700 900456"
        representative = session.get(Representative, case.representative_id)
        assert representative is not None and representative.consent_obtained
        assert representative.relationship == "ward councillor"
        received = session.exec(select(Event).where(Event.kind == "received")).one()
        assert "logged by" in received.summary


def test_edit_definition_opens_a_form_and_saves_through_the_workflow(
    slack, engine, clock, make_user
) -> None:
    lead = make_user("lead@landlord.example", Role.TEAM_LEAD)
    front = make_user("front@landlord.example", Role.FRONTLINE)
    link_user(engine, lead, "U0LEAD")
    link_user(engine, front, "U0FRONT")
    slack.shortcut(WORDS, ts=slack_support.slack_ts(clock.now))
    slack.settle()
    drain(slack.ctx)
    with Session(engine) as session:
        case = session.exec(select(Case)).one()
    value = json.dumps({"case": case.id, "version": case.version})
    slack.press(EDIT_DEFINITION, value, user="U0LEAD")
    slack.settle()
    [opened] = slack.mock.of("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == DEFINITION
    issues = next(b for b in view["blocks"] if b["block_id"] == "issues")
    assert "repair to her front door" in issues["element"]["initial_value"]  # the draft

    edited = {
        "issues": _text("Front door repair cancelled twice\n- No explanation given"),
        "outcomes": _text("Wants a date for the repair"),
    }
    refused = _submit(slack, view, edited, user="U0FRONT")
    assert refused.json()["response_action"] == "errors"
    assert "team lead" in refused.json()["errors"]["issues"]
    slack.settle()

    assert _submit(slack, view, edited, user="U0LEAD").status_code == 200
    slack.settle()
    with Session(engine) as session:
        case = session.get(Case, case.id)
        assert case.definition["issues"] == [
            "Front door repair cancelled twice",
            "No explanation given",
        ]
        assert case.definition["outcomes"] == ["Wants a date for the repair"]
        assert case.definition["clarifications"] == []
    updated = slack.mock.of("chat.update")[-1]
    assert "Wants a date for the repair" in json.dumps(updated.args["blocks"])
