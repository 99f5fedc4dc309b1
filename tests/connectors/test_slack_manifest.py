"""The app manifest matches the code; `intake slack link`; Slack's text conventions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlmodel import Session, select

from connectors.slack.slash_command import COMMAND
from connectors.slack.text import permalink, plain_text, quote
from connectors.slack.ways_in import SHORTCUT
from intake.cli import main
from store.models import Role, StaffUser

MANIFEST = Path(__file__).parents[2] / "slack" / "manifest.yml"


def test_the_manifest_declares_what_the_app_handles() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    features = manifest["features"]
    assert [s["callback_id"] for s in features["shortcuts"]] == [SHORTCUT]
    assert features["shortcuts"][0]["type"] == "message"
    assert [c["command"] for c in features["slash_commands"]] == [COMMAND]
    assert features["app_home"]["home_tab_enabled"] is True
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "app_mention",
        "message.im",
    }
    # One endpoint for everything, as the contract says.
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        features["slash_commands"][0]["url"],
    ]
    assert all(url.endswith("/slack/events") for url in urls)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "im:history", "app_mentions:read"} <= scopes
    assert {"users:read", "users:read.email"} <= scopes  # linking by verified email


def test_intake_slack_link_and_unlink(engine, database_url, make_user, monkeypatch) -> None:
    make_user("lead@landlord.example", Role.TEAM_LEAD)
    monkeypatch.setenv("INTAKE_DATABASE_URL", database_url)
    runner = CliRunner()
    result = runner.invoke(main, ["slack", "link", "lead@landlord.example", "U01AB2CD3EF"])
    assert result.exit_code == 0, result.output
    assert "Linked lead@landlord.example (team lead) to U01AB2CD3EF" in result.output
    with Session(engine) as session:
        assert session.exec(select(StaffUser)).one().slack_user_id == "U01AB2CD3EF"
    bad = runner.invoke(main, ["slack", "link", "lead@landlord.example", "lead"])
    assert bad.exit_code != 0 and "not a Slack member ID" in bad.output
    missing = runner.invoke(main, ["slack", "link", "nobody@landlord.example", "U01AB2CD3EF"])
    assert missing.exit_code != 0 and "There is no account" in missing.output
    result = runner.invoke(main, ["slack", "unlink", "lead@landlord.example"])
    assert result.exit_code == 0
    with Session(engine) as session:
        assert session.exec(select(StaffUser)).one().slack_user_id is None


@pytest.mark.parametrize(
    ("slack_text", "plain"),
    [
        (
            "<@U0BOT> Mrs K &amp; her son say it&#39;s &lt;still&gt; leaking",
            "Mrs K & her son say it's <still> leaking",
        ),
        ("see <https://example.org/x|the photo> from <@U0ABC|ann>", "see the photo from @ann"),
        ("email <mailto:a@b.org|a@b.org> in <#C0ABC|housing>", "email a@b.org in #housing"),
        ("<!here> the lift", "@here the lift"),
    ],
)
def test_slack_markup_becomes_plain_words(slack_text: str, plain: str) -> None:
    assert plain_text(slack_text, drop_user="U0BOT") == plain


def test_quotes_are_escaped_so_words_cannot_ping_or_link() -> None:
    assert quote("<!channel> & <http://x>") == "> &lt;!channel&gt; &amp; &lt;http://x&gt;"
    assert quote("x" * 700, limit=10).endswith("…")


def test_permalinks_point_at_the_message_or_its_thread() -> None:
    assert (
        permalink("landlord", "C1", "1.000200") == "https://landlord.slack.com/archives/C1/p1000200"
    )
    assert permalink("landlord", "C1", "2.5", "1.5").endswith("?thread_ts=1.5&cid=C1")
    assert permalink("", "C1", "1.2") == ""
    assert permalink("https://landlord.slack.com/", "C1", "1.2").startswith(
        "https://landlord.slack.com/archives/C1/p"
    )
