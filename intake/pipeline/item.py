"""The work item a message becomes as it passes through the pipeline, and its terminal outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from classifier.prediction import Prediction
from intake.inbound import InboundMessage
from store.models import Case, Inbound, InboundStatus, Message


class StopPipeline(Exception):
    """A terminal outcome: the message is handled and the remaining steps are skipped."""

    status: InboundStatus = InboundStatus.DONE


class Duplicate(StopPipeline):
    """The same message delivered again; counted as one more receipt."""

    status = InboundStatus.DUPLICATE


class NotForTriage(StopPipeline):
    """Stored and filed, but needs no triage (e.g. a bounce)."""

    status = InboundStatus.IGNORED


class Unreadable(Exception):
    """The stored message cannot be read at all; trying again would fail the same way."""


@dataclass
class WorkItem:
    """Everything the steps learn about one received message."""

    inbound: Inbound
    message: InboundMessage | None = None
    content_sha256: str = ""
    stored: Message | None = None
    case: Case | None = None
    new_case: bool = False
    prediction: Prediction | None = None
    # Set by `thread` when the message is a resident's request to escalate (6.10).
    escalation: bool = False
    # Set by `thread` when a new issue joins an open stage 1 complaint (6.8).
    joined_existing: bool = False
    # Set by `thread`: False when a reply raises a new issue unrelated to its case (6.8).
    related: bool = True
    draft_definition: dict[str, Any] | None = None
    possible_exclusions: list[str] = field(default_factory=list)
    emergency: bool = False
    # Why the proposal looks as it does: one entry per step that decided something.
    trace: list[dict[str, Any]] = field(default_factory=list)

    def explain(self, step: str, **facts: Any) -> None:
        """Record what a step decided, for the team lead's 'why is this here?'."""
        self.trace.append({"step": step, **facts})
