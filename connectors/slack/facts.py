"""What Slack shows about a case, read in one go: for cards, the App Home and the digest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from intake.case_views import case_summary
from intake.context import AppContext
from intake.workflow import STATUS_WORDS
from store.models import Case, CaseStatus, Label, Message, StaffUser, TriageProposal


@dataclass(frozen=True)
class CaseFacts:
    """One case as a card shows it."""

    case_id: int
    reference: str
    version: int
    status: CaseStatus
    status_words: str
    label: Label | None  # confirmed by a person
    proposed_label: Label | None
    confidence: float | None
    stage: int | None
    summary: str
    words: str  # the first message, as the resident's words were logged
    definition: dict[str, Any] | None
    reasons: list[str]
    provision: str
    hazards: list[str]
    emergency: bool
    vulnerability: bool
    possible_exclusions: list[str]
    acknowledge_by: date | None
    next_deadline: date | None
    next_kind: str
    working_days_left: int | None
    overdue: bool
    assignee: str
    confirmed_by: str
    link: str
    slack: dict[str, Any] = field(default_factory=dict)  # where the words came from in Slack

    @property
    def classifying(self) -> bool:
        """No proposal yet: the worker has not read the message."""
        return self.proposed_label is None and self.label is None

    @property
    def is_open(self) -> bool:
        """Still something a team lead can act on."""
        return self.status not in (CaseStatus.CLOSED, CaseStatus.REFUSED)


def case_link(ctx: AppContext, case_id: int) -> str:
    """The case in the staff web app."""
    return f"{ctx.settings.public_url.rstrip('/')}/cases/{case_id}"


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(StaffUser, user_id) if user_id else None
    return user.name if user else ""


def load_facts(
    session: Session, ctx: AppContext, case: Case, today: date | None = None
) -> CaseFacts:
    """Everything a card needs about one case."""
    assert case.id is not None
    summary = case_summary(session, ctx, case, today)
    deadlines = summary["deadlines"]
    proposal = session.get(TriageProposal, case.proposal_id) if case.proposal_id else None
    first = session.exec(
        select(Message).where(Message.case_id == case.id).order_by(col(Message.at), col(Message.id))
    ).first()
    meta = first.meta if first is not None else {}
    return CaseFacts(
        case_id=case.id,
        reference=case.reference,
        version=case.version,
        status=case.status,
        status_words=STATUS_WORDS[case.status],
        label=case.label,
        proposed_label=case.proposed_label,
        confidence=case.proposed_confidence,
        stage=case.stage,
        summary=case.summary,
        words=first.body_text if first is not None else case.summary,
        definition=case.definition,
        reasons=list(proposal.reasons) if proposal else [],
        provision=proposal.provision if proposal else "",
        hazards=list(case.hazards),
        emergency=case.emergency,
        vulnerability=case.vulnerability,
        possible_exclusions=list(case.possible_exclusions),
        acknowledge_by=deadlines["acknowledge_by"],
        next_deadline=deadlines["next"],
        next_kind=deadlines["next_kind"],
        working_days_left=deadlines["working_days_left"],
        overdue=deadlines["overdue"],
        assignee=_name(session, case.assignee_id),
        confirmed_by=_name(session, case.confirmed_by_id),
        link=case_link(ctx, case.id),
        slack=dict(meta.get("slack") or {}),
    )
