"""App Home (a team lead's queue, overdue first) and the daily digest to a channel."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from connectors import slack_cards, slack_digest, slack_socket
from connectors.slack.cards import CONFIRM
from connectors.slack_digest import send_digest
from store.models import Case, Label, Role, SlackDigestRun
from tests.connectors import slack_support
from tests.connectors.slack_support import link_user
from tests.intake.helpers import new_case

mock_slack = slack_support.mock_slack
slack_ctx = slack_support.slack_ctx
slack = slack_support.slack


def _case(slack, received: datetime, summary: str, **changes) -> int:  # type: ignore[no-untyped-def]
    with Session(slack.ctx.engine, expire_on_commit=False) as session:
        case = new_case(session, slack.ctx, received_at=received)
        case.summary = summary
        for name, value in changes.items():
            setattr(case, name, value)
        session.add(case)
        session.commit()
        assert case.id is not None
        return case.id


def _open_home(slack, user: str) -> str:  # type: ignore[no-untyped-def]
    event = {"type": "app_home_opened", "user": user, "channel": "D0" + user, "tab": "home"}
    assert slack.event(event, event_id=f"EvHome{user}{len(slack.mock.calls)}").status_code == 200
    slack.settle()
    published = slack.mock.of("views.publish")[-1]
    assert published.args["user_id"] == user
    return json.dumps(published.args["view"], ensure_ascii=False)


def test_a_team_leads_home_shows_their_queue_overdue_first(slack, engine, clock, make_user) -> None:
    lead = make_user("lead@landlord.example", Role.TEAM_LEAD)
    link_user(engine, lead, "U0LEAD")
    _case(slack, clock.now - timedelta(days=1), "Recent: the lift is out")
    _case(slack, clock.now - timedelta(days=20), "Old: nobody came about the damp")
    _case(slack, clock.now, "Mine: the fence", assignee_id=lead.id)
    home = _open_home(slack, "U0LEAD")
    assert "Assigned to you (1)" in home and "Waiting to be confirmed (3)" in home
    assert home.index("Old: nobody came") < home.index("Recent: the lift")  # overdue first
    assert "overdue" in home and CONFIRM[Label.COMPLAINT] in home


def test_frontline_and_unlinked_people_see_how_to_log_not_the_queue(
    slack, engine, clock, make_user
) -> None:
    front = make_user("front@landlord.example", Role.FRONTLINE)
    link_user(engine, front, "U0FRONT")
    _case(slack, clock.now, "Someone's complaint")
    home = _open_home(slack, "U0FRONT")
    assert "/intake" in home and "Someone's complaint" not in home
    home = _open_home(slack, "U0STRANGER")
    assert "not linked to an Intake staff account" in home and "Someone's complaint" not in home


def test_confirming_from_home_refreshes_the_home(slack, engine, clock, make_user) -> None:
    lead = make_user("lead@landlord.example", Role.TEAM_LEAD)
    link_user(engine, lead, "U0LEAD")
    case_id = _case(slack, clock.now, "Nobody came about the leak")
    with Session(engine) as session:
        version = session.get(Case, case_id).version
    slack.interact(
        {
            "type": "block_actions",
            "user": {"id": "U0LEAD"},
            "trigger_id": "1.2.3",
            "container": {"type": "view", "view_id": "V0HOME"},
            "view": {"id": "V0HOME", "type": "home"},
            "actions": [
                {
                    "action_id": CONFIRM[Label.COMPLAINT],
                    "block_id": "x",
                    "value": json.dumps({"case": case_id, "version": version}),
                }
            ],
        }
    )
    slack.settle()
    with Session(engine) as session:
        assert session.get(Case, case_id).label is Label.COMPLAINT
    home = json.dumps(slack.mock.of("views.publish")[-1].args["view"])
    assert "Waiting to be confirmed (0)" in home


def test_the_digest_lists_due_overdue_and_new_hazards_once_a_working_day(
    slack, engine, clock
) -> None:
    slack.ctx.settings.slack_digest_channel = "C0LEADS"
    monday = datetime(2026, 11, 23, 7, 59, tzinfo=UTC)  # 07:59 London, winter
    clock.now = monday
    # Received on Mon 16 Nov: acknowledge by Mon 23 Nov, i.e. due today.
    _case(slack, datetime(2026, 11, 16, 9, tzinfo=UTC), "Due today: the broken window")
    _case(slack, datetime(2026, 11, 2, 9, tzinfo=UTC), "Overdue: damp in the bedroom")
    _case(
        slack,
        monday - timedelta(hours=3),
        "New hazard: smell of gas",
        hazards=["gas"],
        has_hazards=True,
        emergency=True,
    )
    client = slack.web
    assert send_digest(slack.ctx, client) is False  # not yet 08:00
    clock.now = monday + timedelta(minutes=2)
    assert send_digest(slack.ctx, client) is True
    assert send_digest(slack.ctx, client) is False  # once a day
    [posted] = slack.mock.of("chat.postMessage")
    assert posted.args["channel"] == "C0LEADS"
    text = json.dumps(posted.args["blocks"], ensure_ascii=False)
    assert "Due today (1)" in text and "broken window" in text
    assert "Overdue (1)" in text and "damp in the bedroom" in text
    assert "New hazards (1)" in text and "smell of gas" in text
    assert "1 due today, 1 overdue, 1 new hazards" in posted.args["text"]

    clock.now = datetime(2026, 11, 28, 9, tzinfo=UTC)  # a Saturday: no digest
    assert send_digest(slack.ctx, client) is False


def test_a_failed_digest_is_tried_again(slack, engine, clock) -> None:
    slack.ctx.settings.slack_digest_channel = "C0LEADS"
    clock.now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    slack.mock.fail("chat.postMessage", "channel_not_found")
    assert send_digest(slack.ctx, slack.web) is False
    assert send_digest(slack.ctx, slack.web) is True
    with Session(engine) as session:
        run = session.exec(select(SlackDigestRun)).one()
        assert run.attempts == 2 and run.posted_at is not None


def test_services_start_only_when_configured_and_stop_cleanly(slack, ctx) -> None:
    plain = ctx.settings.model_copy(update={"slack_signing_secret": None})
    off = type(ctx)(**{**ctx.__dict__, "settings": plain})
    assert slack_cards.start(off) is None and slack_digest.start(off) is None
    assert slack_socket.start(slack.ctx) is None  # no app-level token: HTTP mode only
    assert slack_digest.start(slack.ctx) is None  # no digest channel
    service = slack_cards.start(slack.ctx)
    assert service is not None and "triage cards" in service.describe()
    service.stop()
    assert not service.thread.is_alive()
