"""The /intake form: the resident's words, how they reached us, who they are, who acts for them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from store.models import Channel

CALLBACK = "intake_log"
MAX_WORDS = 3000  # Slack's limit for a plain-text input
# How the resident reached us; "email" is not offered, as emails come in through the mailbox.
HOW = {
    Channel.PHONE: "Phone call",
    Channel.IN_PERSON: "In person",
    Channel.SLACK: "A Slack message",
    Channel.LETTER: "Letter",
    Channel.SOCIAL_MEDIA: "Social media",
    Channel.CHAT: "Web chat",
    Channel.OTHER: "Some other way",
}
Block = dict[str, Any]


def _input(
    block_id: str, label: str, element: Block, *, optional: bool = True, hint: str = ""
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": {"action_id": "value", **element},
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _text(max_length: int, *, multiline: bool = False, initial: str = "") -> Block:
    element: Block = {"type": "plain_text_input", "max_length": max_length, "multiline": multiline}
    if initial:
        element["initial_value"] = initial[:max_length]
    return element


def _option(channel: Channel) -> Block:
    return {"text": {"type": "plain_text", "text": HOW[channel]}, "value": channel.value}


def log_view(*, channel: str, words: str = "") -> Block:
    """The modal; `channel` is where the command was typed, so the card can go there."""
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "private_metadata": json.dumps({"channel": channel}),
        "title": {"type": "plain_text", "text": "Log with Intake"},
        "submit": {"type": "plain_text", "text": "Log it"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            _input(
                "words",
                "What did the resident say?",
                _text(MAX_WORDS, multiline=True, initial=words),
                optional=False,
                hint="In their words as far as you can. The word “complaint” need not appear.",
            ),
            _input(
                "how",
                "How did they contact us?",
                {
                    "type": "static_select",
                    "options": [_option(c) for c in HOW],
                    "initial_option": _option(Channel.PHONE),
                },
                optional=False,
            ),
            _input(
                "when",
                "When did they tell us?",
                {"type": "datetimepicker"},
                hint="Leave empty for now. The Code's clock starts when we heard it.",
            ),
            {"type": "header", "text": {"type": "plain_text", "text": "The resident"}},
            _input("name", "Name", _text(200)),
            _input("phone", "Phone", _text(50)),
            _input("email", "Email", _text(320)),
            _input("address", "Address", _text(500)),
            _input("tenancy_ref", "Tenancy reference", _text(100)),
            {"type": "header", "text": {"type": "plain_text", "text": "Someone acting for them"}},
            _input(
                "rep_name",
                "Their name",
                _text(200),
                hint="A relative, advocate, councillor or MP (Code 1.3, 3.6). Leave empty if none.",
            ),
            _input("rep_relationship", "Relationship to the resident", _text(100)),
            _input(
                "rep_consent",
                "Consent",
                {
                    "type": "checkboxes",
                    "options": [
                        {
                            "text": {"type": "plain_text", "text": "The resident agrees"},
                            "value": "yes",
                        }
                    ],
                },
            ),
        ],
    }


@dataclass
class LogForm:
    """A submitted form, checked; `errors` maps block ids to what to fix."""

    words: str = ""
    channel: Channel = Channel.PHONE
    received_at: datetime | None = None
    resident: dict[str, str] = field(default_factory=dict)
    representative: dict[str, Any] = field(default_factory=dict)
    card_channel: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _value(values: dict[str, Any], block_id: str) -> Any:
    return (values.get(block_id) or {}).get("value") or {}


def read_form(view: dict[str, Any], now: datetime) -> LogForm:
    """The form's answers, or the problems to show next to the fields."""
    values = (view.get("state") or {}).get("values") or {}
    form = LogForm()
    form.words = str(_value(values, "words").get("value") or "").strip()
    if not form.words:
        form.errors["words"] = "Write what the resident said."
    selected = (_value(values, "how").get("selected_option") or {}).get("value")
    try:
        form.channel = Channel(selected) if selected else Channel.PHONE
    except ValueError:
        form.errors["how"] = "Choose how the resident contacted us."
    when = _value(values, "when").get("selected_date_time")
    if when:
        form.received_at = datetime.fromtimestamp(int(when), UTC)
        if form.received_at > now:
            form.errors["when"] = "That is in the future: choose when the resident told us."
    for key in ("name", "phone", "email", "address", "tenancy_ref"):
        text = str(_value(values, key).get("value") or "").strip()
        if text:
            form.resident[key] = text
    email = form.resident.get("email", "")
    if email and ("@" not in email or " " in email):
        form.errors["email"] = "That does not look like an email address."
    rep_name = str(_value(values, "rep_name").get("value") or "").strip()
    consent = bool(_value(values, "rep_consent").get("selected_options"))
    relationship = str(_value(values, "rep_relationship").get("value") or "").strip()
    if rep_name:
        form.representative = {
            "name": rep_name,
            "relationship": relationship,
            "consent_obtained": consent,
            "consent_evidence": "Confirmed by the member of staff who logged it in Slack"
            if consent
            else "",
        }
    elif relationship or consent:
        form.errors["rep_name"] = "Give the name of the person acting for the resident."
    try:
        form.card_channel = str(
            json.loads(view.get("private_metadata") or "{}").get("channel") or ""
        )
    except ValueError:
        form.card_channel = ""
    return form


def logged_view(reference: str, link: str) -> Block:
    """What the modal turns into once the message is safely stored."""
    return {
        "type": "modal",
        "callback_id": "intake_logged",
        "title": {"type": "plain_text", "text": "Logged"},
        "close": {"type": "plain_text", "text": "Done"},
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"Logged as *<{link}|{reference}>*. A team lead will confirm it; "
                    "the triage card will follow in Slack.",
                },
            }
        ],
    }
