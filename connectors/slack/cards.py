"""The triage card: a case as Block Kit, with the buttons a team lead needs."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from connectors.slack.facts import CaseFacts
from connectors.slack.text import escape, quote
from intake.vocabulary import HAZARD_NAMES, LABEL_NAMES
from store.models import CaseStatus, Label

CONFIRM_PREFIX = "intake_confirm_"
CONFIRM = {label: CONFIRM_PREFIX + label.value for label in Label}
EDIT_DEFINITION = "intake_edit_definition"
ASSIGN = "intake_assign"
OPEN = "intake_open"

LABEL_WORDS = LABEL_NAMES
HAZARD_WORDS = HAZARD_NAMES
Block = dict[str, Any]


def day(value: date | None) -> str:
    """A date as people in England write it: Mon 23 Nov 2026."""
    return f"{value:%a} {value.day} {value:%b %Y}" if value else "none"


def button_value(facts: CaseFacts) -> str:
    """What a button carries: the case and the version the person saw."""
    return json.dumps({"case": facts.case_id, "version": facts.version})


def parse_value(value: str) -> tuple[int, int | None]:
    """The case id and version a button carried."""
    data = json.loads(value)
    version = data.get("version")
    return int(data["case"]), int(version) if version is not None else None


def headline(facts: CaseFacts) -> str:
    """One line: the reference and what the case is (confirmed) or might be (proposed)."""
    if facts.label is not None:
        what = LABEL_WORDS[facts.label]
        if facts.stage:
            what += f", stage {facts.stage}"
        return f"{facts.reference} · {what}"
    if facts.proposed_label is None:
        return f"{facts.reference} · reading the message…"
    confidence = f" ({facts.confidence:.0%} sure)" if facts.confidence is not None else ""
    return f"{facts.reference} · {LABEL_WORDS[facts.proposed_label]}?{confidence}"


def flags(facts: CaseFacts) -> list[str]:
    """The things that change a case's priority, in words."""
    found = []
    if facts.hazards:
        hazards = ", ".join(HAZARD_WORDS.get(h, h) for h in facts.hazards)
        found.append(
            (":rotating_light: *Emergency hazard*: " if facts.emergency else ":warning: *Hazard*: ")
            + hazards
        )
    if facts.vulnerability:
        found.append(":large_orange_circle: *Vulnerability or risk disclosed* (Code 5.10, 6.1)")
    if facts.stage == 2:
        found.append(":arrow_double_up: *Stage 2*: the resident asks to escalate (Code 6.10)")
    for exclusion in facts.possible_exclusions:
        found.append(f":grey_question: Possible exclusion: {exclusion.replace('_', ' ')}")
    return found


def deadline_line(facts: CaseFacts) -> str:
    """The next date that matters, and how close it is."""
    if facts.next_deadline is None:
        return "No deadline running"
    kind = {"acknowledge": "Acknowledge by", "respond": "Respond by"}.get(facts.next_kind, "Due")
    text = f"{kind} {day(facts.next_deadline)}"
    if facts.overdue:
        return f":red_circle: *{text}: overdue*"
    if facts.working_days_left is not None:
        left = facts.working_days_left
        text += " (today)" if left == 0 else f" ({left} working day{'s' if left != 1 else ''} left)"
    return text


def _definition(facts: CaseFacts) -> str:
    definition = facts.definition or {}
    issues = definition.get("issues") or []
    outcomes = definition.get("outcomes") or []
    if not issues and not outcomes:
        return ""
    lines = ["*Complaint definition*" + ("" if facts.label else " (draft)")]
    lines += [f"• {escape(i)}" for i in issues] or ["• _no issue drafted yet_"]
    lines.append("*Outcomes sought*")
    lines += [f"• {escape(o)}" for o in outcomes] or [
        "• _none stated: ask the resident what they want (Code 5.6)_"
    ]
    return "\n".join(lines)


def _origin(facts: CaseFacts) -> str:
    slack = facts.slack
    parts = []
    if slack.get("logged_by"):
        parts.append(f"Logged by <@{slack['logged_by']}>")
    if slack.get("permalink"):
        parts.append(f"<{slack['permalink']}|original message>")
    return " · ".join(parts)


def actions(facts: CaseFacts) -> Block:
    """The buttons: confirm while new; define and assign while open; always open in the app."""
    value = button_value(facts)
    elements: list[Block] = []
    if facts.status is CaseStatus.NEW and not facts.classifying:
        for label, style in ((Label.COMPLAINT, "primary"), (Label.SERVICE_REQUEST, None)):
            button: Block = {
                "type": "button",
                "action_id": CONFIRM[label],
                "text": {"type": "plain_text", "text": f"Confirm: {LABEL_WORDS[label].lower()}"},
                "value": value,
            }
            if style:
                button["style"] = style
            elements.append(button)
        elements.append(
            {
                "type": "button",
                "action_id": CONFIRM[Label.OTHER],
                "text": {"type": "plain_text", "text": "Confirm: other"},
                "value": value,
                "confirm": {
                    "title": {"type": "plain_text", "text": "Close as other?"},
                    "text": {
                        "type": "mrkdwn",
                        "text": "Not a complaint or a service request: the case will be closed.",
                    },
                    "confirm": {"type": "plain_text", "text": "Close it"},
                    "deny": {"type": "plain_text", "text": "Cancel"},
                },
            }
        )
    if facts.is_open:
        elements.append(
            {
                "type": "button",
                "action_id": EDIT_DEFINITION,
                "text": {"type": "plain_text", "text": "Edit definition"},
                "value": value,
            }
        )
        elements.append(
            {
                "type": "users_select",
                "action_id": ASSIGN,
                "placeholder": {"type": "plain_text", "text": "Assign to…"},
            }
        )
    elements.append(
        {
            "type": "button",
            "action_id": OPEN,
            "text": {"type": "plain_text", "text": "Open in Intake"},
            "url": facts.link,
            "value": value,
        }
    )
    # The block id carries the case, so the assign menu (which has no value) knows it too.
    return {"type": "actions", "block_id": f"case:{value}", "elements": elements}


def card(facts: CaseFacts) -> tuple[str, list[Block]]:
    """The card's fallback text (notifications, screen readers) and its blocks."""
    title = headline(facts)
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": quote(facts.words) or "> (empty)"}},
    ]
    origin = _origin(facts)
    if origin:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": origin}]})
    status = f"*Status:* {facts.status_words}"
    if facts.label is not None and facts.confirmed_by:
        status += f" · confirmed by {escape(facts.confirmed_by)}"
    if facts.assignee:
        status += f" · assigned to {escape(facts.assignee)}"
    blocks.append(
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{status}\n{deadline_line(facts)}"}}
    )
    found = flags(facts)
    if found:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(found)}})
    definition = _definition(facts)
    if definition:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": definition[:3000]}})
    if facts.classifying:
        why = "Intake is reading the message; the proposal will appear here."
    elif facts.reasons or facts.provision:
        why = "Why: " + "; ".join(escape(r) for r in facts.reasons[:3])
        why += f" (Code {facts.provision})" if facts.provision else ""
    else:
        why = ""
    if why:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": why[:2000]}]})
    blocks.append(actions(facts))
    return f"{title}: {escape(facts.summary)}"[:300], blocks
