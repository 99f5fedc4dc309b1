"""The Code's complaint workflow as an explicit state machine: two stages, clocks, letters, history.

Every change to a case goes through one of these functions. Each checks that the move is
allowed from the case's current state and by this person, changes the case, writes the
history, and (where the Code requires) produces the letter. Illegal moves raise
WorkflowError with a sentence a team lead can act on.
"""

from intake.workflow.adjustments import add_adjustment, record_vulnerability, review_adjustment
from intake.workflow.base import (
    ALLOWED_FROM,
    STATUS_WORDS,
    Actor,
    ConflictError,
    InvalidTransition,
    PermissionDenied,
    WorkflowError,
    check_version,
    current_stage,
    provisional_deadline,
    record_event,
    require_role,
)
from intake.workflow.correspondence import acknowledgement_context, preview_letter, write_letter
from intake.workflow.outcomes import close, complete_action, refuse
from intake.workflow.stages import acknowledge, escalate, extend, respond
from intake.workflow.triage import (
    add_note,
    assign,
    confirm,
    edit_definition,
    joins_existing_complaint,
    link,
)

__all__ = [
    "ALLOWED_FROM",
    "STATUS_WORDS",
    "Actor",
    "ConflictError",
    "InvalidTransition",
    "PermissionDenied",
    "WorkflowError",
    "acknowledge",
    "acknowledgement_context",
    "add_adjustment",
    "add_note",
    "assign",
    "check_version",
    "close",
    "complete_action",
    "confirm",
    "current_stage",
    "edit_definition",
    "escalate",
    "extend",
    "joins_existing_complaint",
    "link",
    "preview_letter",
    "provisional_deadline",
    "record_event",
    "record_vulnerability",
    "refuse",
    "require_role",
    "respond",
    "review_adjustment",
    "write_letter",
]
