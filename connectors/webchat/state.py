"""What a chat conversation knows, and what one resident turn decides (replies and records)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

# The conversation's steps, in the order a typical chat passes through them.
LISTENING = "listening"  # waiting to hear what has happened
OFFERED = "offered"  # dissatisfaction heard: offered the choice to complain (Code 1.3)
CONFIRM_DEFINITION = "confirm_definition"  # "So we've understood: ... Is that right?"
CORRECT_DEFINITION = "correct_definition"  # the resident restates it
OUTCOME = "outcome"  # "What would put it right?" (5.6)
WHO = "who"  # their own home, someone else's, or someone acting for them (1.3, 3.6)
REP_NAME = "rep_name"
REP_RELATIONSHIP = "rep_relationship"
REP_CONSENT = "rep_consent"
NAME = "name"
ADDRESS = "address"
CONTACT = "contact"
ADJUSTMENTS = "adjustments"  # reasonable adjustments (5.10)
DONE = "done"

STEPS = (
    LISTENING,
    OFFERED,
    CONFIRM_DEFINITION,
    CORRECT_DEFINITION,
    OUTCOME,
    WHO,
    REP_NAME,
    REP_RELATIONSHIP,
    REP_CONSENT,
    NAME,
    ADDRESS,
    CONTACT,
    ADJUSTMENTS,
    DONE,
)


@dataclass
class ChatState:
    """Stored with the conversation (as JSON) between turns."""

    step: str = LISTENING
    # The resident's own account of the matter: what the classifier reads for this chat.
    account: list[str] = field(default_factory=list)
    label: str | None = None
    hazards: list[str] = field(default_factory=list)
    vulnerable: bool = False
    advised: list[str] = field(default_factory=list)  # hazards already given advice for
    complaint: bool | None = None  # the resident's choice, once made
    definition: dict[str, list[str]] | None = None
    outcome: str = ""
    corrections: int = 0
    acting: str = ""  # "self", "for_other" (the writer acts for the resident), "has_rep"
    representative: dict[str, Any] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    contact_asks: int = 0
    classifier_failed: bool = False

    def to_json(self) -> dict[str, Any]:
        """For the conversation's JSON column."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ChatState:
        """From the JSON column; unknown keys (an older version's) are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    @property
    def account_text(self) -> str:
        """The account as one text, as the classifier reads it."""
        return "\n\n".join(part for part in self.account if part.strip())


@dataclass
class Reply:
    """One line the chat says: a wording entry (or ready text) and the quick replies offered."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)
    choices: list[str] = field(default_factory=list)
    text: str = ""  # already rendered (hazard advice)


@dataclass
class Record:
    """Something the turn tells us to put in the case record."""

    kind: str  # "resident", "representative", "adjustment", "event"
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    """What one resident turn decides."""

    state: ChatState
    replies: list[Reply] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    # True when the turn is substantive and the conversation has no case yet: open one.
    open_case: bool = False
