"""The /intake command and its form: what the resident said, how, when, who, and who acts."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from connectors.slack.accept import NOT_SAVED, Where, post_new_card, try_log
from connectors.slack.facts import case_link
from connectors.slack.log_form import CALLBACK, log_view, logged_view, read_form
from connectors.slack.text import plain_text
from intake.context import AppContext
from intake.inbound import InboundMessage

COMMAND = "/intake"
HELP = (
    "*Intake* logs what residents tell you, so a team lead can triage it.\n"
    "• `/intake` opens a form; `/intake what they said` fills it in for you.\n"
    "• On any message: *More actions* › *Log with Intake*.\n"
    "• Or send me a direct message, or mention me in the intake channel."
)


def _wants_help(command: dict[str, Any]) -> bool:
    return str(command.get("text") or "").strip().lower() in ("help", "?")


def register(app: App, ctx: AppContext) -> None:
    """Attach /intake and its form to the bolt app."""

    def accept_command(ack: Ack, command: dict[str, Any]) -> None:
        if _wants_help(command):
            ack(text=HELP)
            return
        ack()

    def open_form(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        if _wants_help(command):
            return
        words = plain_text(str(command.get("text") or ""))
        try:
            client.views_open(
                trigger_id=command["trigger_id"],
                view=log_view(channel=str(command.get("channel_id") or ""), words=words),
            )
        except SlackApiError:
            respond(
                text="The form could not open in time. Please run `/intake` again.",
                response_type="ephemeral",
            )

    app.command(COMMAND)(ack=accept_command, lazy=[open_form])

    def accept_form(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = read_form(view, ctx.clock())
        if form.errors:
            ack(response_action="errors", errors=form.errors)
            return
        user = body.get("user") or {}
        user_id = str(user.get("id") or "")
        message = InboundMessage(
            channel=form.channel.value,
            text=form.words,
            received_at=form.received_at,
            sender=form.resident.get("email", ""),
            sender_name=form.resident.get("name", ""),
            resident=form.resident,
            representative=form.representative,
            meta={
                "slack": {
                    "via": "form",
                    "team": (body.get("team") or {}).get("id", ""),
                    "logged_by": user_id,
                },
                "logged_by_name": user.get("name", ""),
            },
        )
        outcome = try_log(
            ctx,
            message,
            logged_by=user_id,
            card=Where(form.card_channel or user_id),
            external_id=f"slack:view:{view.get('id')}",
        )
        if outcome.get("problem"):
            ack(response_action="errors", errors={"words": NOT_SAVED})
            return
        context["intake"] = outcome
        ack(
            response_action="update",
            view=logged_view(outcome["reference"], case_link(ctx, outcome["case_id"])),
        )

    def after_form(context: BoltContext, client: WebClient) -> None:
        post_new_card(ctx, client, context.get("intake") or {})

    app.view(CALLBACK)(ack=accept_form, lazy=[after_form])
