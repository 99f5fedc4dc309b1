"""The "Edit definition" form: the issues and outcomes of a complaint, one per line (Code 5.6)."""

from __future__ import annotations

import json
from typing import Any

from connectors.slack.facts import CaseFacts

CALLBACK = "intake_definition"
Block = dict[str, Any]


def _lines(items: list[str]) -> str:
    return "\n".join(items)


def definition_view(facts: CaseFacts, *, origin: dict[str, str]) -> Block:
    """The modal, filled with the current (or drafted) definition."""
    definition = facts.definition or {}
    metadata = {"case": facts.case_id, "version": facts.version, **origin}

    def box(block_id: str, label: str, items: list[str], hint: str) -> Block:
        element: Block = {
            "type": "plain_text_input",
            "action_id": "value",
            "multiline": True,
            "max_length": 3000,
        }
        if items:
            element["initial_value"] = _lines(items)
        return {
            "type": "input",
            "block_id": block_id,
            "optional": block_id != "issues",
            "label": {"type": "plain_text", "text": label},
            "hint": {"type": "plain_text", "text": hint},
            "element": element,
        }

    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": f"Define {facts.reference}"[:24]},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            box(
                "issues",
                "What is the resident unhappy about?",
                list(definition.get("issues") or []),
                "One issue per line, in the third person.",
            ),
            box(
                "outcomes",
                "What outcomes do they want?",
                list(definition.get("outcomes") or []),
                "One per line. Leave empty if they have not said: we will ask them.",
            ),
            box(
                "clarifications",
                "What do we need to ask the resident?",
                list(definition.get("clarifications") or []),
                "Optional. One question per line.",
            ),
            box(
                "not_responsible",
                "What are we not responsible for?",
                list(definition.get("not_responsible") or []),
                "Optional (Code 5.7). One per line.",
            ),
        ],
    }


def read_definition(view: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The private metadata (case, version, where the form was opened) and the definition."""
    values = (view.get("state") or {}).get("values") or {}

    def lines(block_id: str) -> list[str]:
        text = ((values.get(block_id) or {}).get("value") or {}).get("value") or ""
        return [line.strip(" -•\t") for line in str(text).splitlines() if line.strip(" -•\t")]

    metadata = json.loads(view.get("private_metadata") or "{}")
    definition = {
        "issues": lines("issues"),
        "outcomes": lines("outcomes"),
        "clarifications": lines("clarifications"),
        "not_responsible": lines("not_responsible"),
    }
    return metadata, definition
