"""The card's buttons: confirm, edit the definition, assign; each through the Code's workflow.

Who may do what follows the person's staff account (a frontline account cannot confirm);
refusals come back to the person who pressed, in the workflow's own plain words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from connectors.slack import home
from connectors.slack.accounts import NOT_LINKED, linked_staff, resolve_staff
from connectors.slack.card_sync import refresh_case
from connectors.slack.cards import ASSIGN, CONFIRM_PREFIX, EDIT_DEFINITION, OPEN, parse_value
from connectors.slack.definition_form import CALLBACK, definition_view, read_definition
from connectors.slack.facts import load_facts
from intake.context import AppContext
from intake.workflow import Actor, WorkflowError, assign, confirm, edit_definition
from store.db import session_scope
from store.models import Case, Label, StaffUser

log = logging.getLogger(__name__)

NEED_DEFINITION = " Press “Edit definition” on the card first, then confirm."
SOMETHING_WRONG = "Something went wrong, so nothing was changed. Try again, or use the web app."
CHANGED_MEANWHILE = (
    "{reference} was changed by someone else at the same moment. The card now shows the "
    "latest; look again and try once more."
)
Change = Callable[[Session, Case, Actor], Any]


def _origin(body: dict[str, Any]) -> dict[str, str]:
    """Where the button was pressed: a message in a channel, or the App Home."""
    container = body.get("container") or {}
    if container.get("type") == "view":
        return {"where": "home"}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
    return {"where": "message", "channel": str(channel)}


def _case_of(action: dict[str, Any]) -> tuple[int, int | None]:
    value = action.get("value")
    if not value:  # the assign menu has no value: the case is in its block id
        value = str(action.get("block_id", "")).removeprefix("case:")
    return parse_value(value)


def register(app: App, ctx: AppContext) -> None:
    """Attach the card's buttons and the definition form to the bolt app."""

    def tell(client: WebClient, user: str, origin: dict[str, str], text: str) -> None:
        """Tell only the person who pressed: ephemeral in a channel, a notice on the Home."""
        try:
            if origin.get("where") == "message" and origin.get("channel"):
                client.chat_postEphemeral(channel=origin["channel"], user=user, text=text)
            else:
                home.publish(ctx, client, user, notice=text)
        except SlackApiError:
            log.warning("could not tell a Slack user why their action failed")

    def act(
        client: WebClient, user: str, origin: dict[str, str], case_id: int, change: Change
    ) -> None:
        """Run one workflow change as the linked staff member, then refresh what shows it."""
        staff = resolve_staff(ctx, client, user)
        if staff is None:
            tell(client, user, origin, NOT_LINKED.format(user=user))
            return
        reference = f"INT-{case_id:06d}"
        try:
            with session_scope(ctx.engine) as session:
                case = session.get(Case, case_id)
                if case is None:
                    raise WorkflowError(f"There is no case {reference}.")
                reference = case.reference
                actor_user = session.get(StaffUser, staff.id)
                assert actor_user is not None
                change(session, case, Actor.staff(actor_user))
        except WorkflowError as exc:
            tell(client, user, origin, str(exc) + _hint(exc))
        except StaleDataError:
            tell(client, user, origin, CHANGED_MEANWHILE.format(reference=reference))
        except Exception:
            log.exception("a Slack action on case %s failed", case_id)
            tell(client, user, origin, SOMETHING_WRONG)
        refresh_case(ctx, client, case_id)
        if origin.get("where") == "home":
            home.publish(ctx, client, user)

    def ack_now(ack: Ack) -> None:
        ack()

    def do_confirm(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        case_id, version = _case_of(action)
        label = Label(str(action["action_id"]).removeprefix(CONFIRM_PREFIX))

        def change(session: Session, case: Case, actor: Actor) -> None:
            stage = (case.stage or 1) if label is Label.COMPLAINT else None
            confirm(session, ctx, case, actor, label=label, stage=stage, expected_version=version)

        act(client, body["user"]["id"], _origin(body), case_id, change)

    app.action(re.compile("^" + CONFIRM_PREFIX))(ack=ack_now, lazy=[do_confirm])

    def do_assign(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        case_id, version = _case_of(action)
        user = body["user"]["id"]
        chosen = str(action.get("selected_user") or "")
        assignee = resolve_staff(ctx, client, chosen) if chosen else None
        if assignee is None:
            tell(
                client,
                user,
                _origin(body),
                f"<@{chosen}> has no Intake staff account linked "
                "to Slack, so the case cannot be assigned to them.",
            )
            return

        def change(session: Session, case: Case, actor: Actor) -> None:
            person = session.get(StaffUser, assignee.id)
            assert person is not None
            assign(session, ctx, case, actor, person, expected_version=version)

        act(client, user, _origin(body), case_id, change)

    app.action(ASSIGN)(ack=ack_now, lazy=[do_assign])

    def open_definition(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        case_id, _ = _case_of(action)
        with session_scope(ctx.engine) as session:
            case = session.get(Case, case_id)
            facts = load_facts(session, ctx, case) if case is not None else None
        if facts is None:
            return
        try:
            client.views_open(
                trigger_id=body["trigger_id"], view=definition_view(facts, origin=_origin(body))
            )
        except SlackApiError:
            tell(
                client,
                body["user"]["id"],
                _origin(body),
                "The form could not open in time. Please press “Edit definition” again.",
            )

    app.action(EDIT_DEFINITION)(ack=ack_now, lazy=[open_definition])
    app.action(OPEN)(ack_now)  # a link button: Slack opens the page, we only acknowledge

    def save_definition(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        # Runs before the ack so a refusal can be shown in the form itself.
        metadata, definition = read_definition(view)
        user = body["user"]["id"]
        with session_scope(ctx.engine) as session:
            staff = linked_staff(session, user)
        if staff is None:
            ack(response_action="errors", errors={"issues": NOT_LINKED.format(user=user)[:150]})
            return
        try:
            with session_scope(ctx.engine) as session:
                case = session.get(Case, int(metadata["case"]))
                person = session.get(StaffUser, staff.id)
                if case is None or person is None:
                    raise WorkflowError("That case is no longer there.")
                merged = _merge(case.definition or {}, definition)
                edit_definition(
                    session,
                    ctx,
                    case,
                    Actor.staff(person),
                    merged,
                    expected_version=metadata.get("version"),
                )
        except (WorkflowError, StaleDataError) as exc:
            text = str(exc) if isinstance(exc, WorkflowError) else "Someone changed the case."
            ack(response_action="errors", errors={"issues": text[:150]})
            return
        context["intake_saved"] = True
        ack()

    def after_definition(
        body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        if not context.get("intake_saved"):
            return  # refused: the form is still open, nothing changed
        metadata, _ = read_definition(view)
        refresh_case(ctx, client, int(metadata["case"]))
        if metadata.get("where") == "home":
            home.publish(ctx, client, body["user"]["id"])

    app.view(CALLBACK)(ack=save_definition, lazy=[after_definition])


def _merge(current: dict[str, Any], edited: dict[str, list[str]]) -> dict[str, Any]:
    """The edited parts replace the old; parts the form does not show are kept."""
    return {**current, **edited}


def _hint(exc: WorkflowError) -> str:
    return NEED_DEFINITION if "needs a definition" in str(exc) else ""
