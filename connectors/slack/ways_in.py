"""Ways in for frontline staff: the message shortcut, direct messages and mentions.

Each Slack request is acknowledged only after the message is stored (bolt runs with
process_before_response, so the ack function's work happens before Slack hears "OK"); the
card and any reply go out afterwards from a lazy listener, within Slack's three seconds.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest, Respond
from slack_sdk import WebClient

from connectors.slack.accept import Where, log_message, post_new_card, try_log
from connectors.slack.facts import case_link
from connectors.slack.text import permalink, plain_text, source_key, ts_to_datetime
from intake.context import AppContext
from intake.inbound import InboundMessage
from store.models import Channel

log = logging.getLogger(__name__)

SHORTCUT = "log_with_intake"
# Message events that carry words someone wrote (edits and deletions are not new messages).
WRITTEN = {None, "file_share", "thread_broadcast"}


def slack_message(
    ctx: AppContext,
    *,
    text: str,
    via: str,
    team: dict[str, Any],
    channel: str,
    ts: str,
    thread_ts: str | None,
    author: str,
    logged_by: str,
    logged_by_name: str = "",
) -> InboundMessage:
    """A message written in Slack, as Intake stores it: the resident is the complainant, and
    the Slack author, the member of staff and the permalink go in its meta."""
    posted = ts_to_datetime(ts)
    now = ctx.clock()
    return InboundMessage(
        channel=Channel.SLACK.value,
        text=text,
        received_at=min(posted, now) if posted else now,
        meta={
            "slack": {
                "via": via,
                "team": team.get("id", ""),
                "channel": channel,
                "ts": ts,
                "thread_ts": thread_ts,
                "author": author,
                "logged_by": logged_by,
                "permalink": permalink(team.get("domain", ""), channel, ts, thread_ts),
            },
            "logged_by_name": logged_by_name,
        },
    )


def register(app: App, ctx: AppContext) -> None:
    """Attach every way in to the bolt app."""

    def accept_shortcut(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id", "")
        team = body.get("team") or {}
        user = body.get("user") or {}
        text = plain_text(message.get("text") or "")
        ts = str(message.get("ts") or "")
        if not text or not ts:
            context["intake"] = {"problem": "That message has no words I can log."}
            ack()
            return
        thread_ts = message.get("thread_ts")
        inbound = slack_message(
            ctx,
            text=text,
            via="shortcut",
            team=team,
            channel=channel,
            ts=ts,
            thread_ts=thread_ts,
            author=message.get("user") or message.get("bot_id") or "",
            logged_by=user.get("id", ""),
            logged_by_name=user.get("name", ""),
        )
        context["intake"] = try_log(
            ctx,
            inbound,
            logged_by=user.get("id", ""),
            card=Where(channel, thread_ts or ts),
            source=source_key(team.get("id", ""), channel, ts),
        )
        ack()

    def after_shortcut(context: BoltContext, client: WebClient, respond: Respond) -> None:
        outcome = context.get("intake") or {}
        if outcome.get("problem"):
            respond(text=outcome["problem"], response_type="ephemeral")
            return
        link = f"<{case_link(ctx, outcome['case_id'])}|{outcome['reference']}>"
        if outcome.get("duplicate"):
            respond(text=f"This message is already logged as {link}.", response_type="ephemeral")
            return
        post_new_card(ctx, client, outcome)
        respond(
            text=f"Logged as {link}. A team lead will confirm it from the triage card.",
            response_type="ephemeral",
        )

    app.message_shortcut(SHORTCUT)(ack=accept_shortcut, lazy=[after_shortcut])

    def accept_event(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        kind = "mention" if event.get("type") == "app_mention" else "direct_message"
        if kind == "direct_message" and (
            event.get("channel_type") != "im"
            or event.get("subtype") not in WRITTEN
            or event.get("bot_id")
        ):
            return  # not a person writing to the app: nothing to log
        channel = str(event.get("channel") or "")
        intake_channel = ctx.settings.slack_intake_channel
        if kind == "mention" and intake_channel and channel != intake_channel:
            context["intake"] = {
                "problem": f"I log messages mentioned in <#{intake_channel}> only. Here, use "
                "*More actions* › *Log with Intake* on the message, or `/intake`."
            }
            return
        raw = str(event.get("text") or "")
        # Until the app has learnt its own user id, a mention's leading @-name is the app's.
        bot = context.bot_user_id or (_leading_mention(raw) if kind == "mention" else "")
        text = plain_text(raw, drop_user=bot or "")
        if not text:
            context["intake"] = {"problem": "Tell me what the resident said, or use `/intake`."}
            return
        ts = str(event.get("ts") or "")
        thread_ts = event.get("thread_ts")
        # Events carry no workspace domain; the app learnt its workspace's address at start.
        known = context.authorize_result
        team = {"id": body.get("team_id", ""), "domain": (known.url if known else None) or ""}
        user = str(event.get("user") or "")
        inbound = slack_message(
            ctx,
            text=text,
            via=kind,
            team=team,
            channel=channel,
            ts=ts,
            thread_ts=thread_ts,
            author=user,
            logged_by=user,
        )
        # A failure here raises: Slack gets a 500 and delivers the event again later.
        logged = log_message(
            ctx,
            inbound,
            logged_by=user,
            card=Where(channel, thread_ts or ts),
            external_id=f"slack:event:{body.get('event_id')}" if body.get("event_id") else None,
            source=source_key(team["id"], channel, ts),
            thread=Where(channel, thread_ts) if thread_ts else None,
        )
        context["intake"] = asdict(logged)

    def after_event(
        event: dict[str, Any], context: BoltContext, client: WebClient, request: BoltRequest
    ) -> None:
        outcome = context.get("intake")
        if not outcome:
            return
        channel = str(event.get("channel") or "")
        thread = event.get("thread_ts") or event.get("ts")
        if outcome.get("problem"):
            if not request.headers.get("x-slack-retry-num"):  # said once is enough
                client.chat_postEphemeral(
                    channel=channel, user=str(event.get("user") or ""), text=outcome["problem"]
                )
            return
        link = f"<{case_link(ctx, outcome['case_id'])}|{outcome['reference']}>"
        if outcome.get("added_to_case"):
            client.chat_postMessage(channel=channel, thread_ts=thread, text=f"Added to {link}.")
        elif not outcome.get("duplicate"):
            post_new_card(ctx, client, outcome)

    for event_type in ("app_mention", "message"):
        app.event(event_type)(ack=accept_event, lazy=[after_event])


_LEADING_MENTION = re.compile(r"^\s*<@([A-Z0-9]+)(?:\|[^>]*)?>")


def _leading_mention(text: str) -> str:
    match = _LEADING_MENTION.match(text)
    return match.group(1) if match else ""
