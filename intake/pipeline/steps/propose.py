"""Step `propose`: store the triage proposal and apply it: queue a new case, or move an old one on.

A reply to a case follows the Code: dissatisfaction with a stage 1 response is a stage 2
request (6.10); a new issue before the stage 1 response joins the complaint, after it (or
unrelated) it is a new complaint (6.8); a complaint about a service request is a new case
linked to it, both open (1.5).
"""

from __future__ import annotations

from sqlmodel import Session

from intake.context import AppContext
from intake.pipeline.item import WorkItem
from intake.pipeline.steps.deadlines import provisional_deadline
from intake.workflow import Actor, escalate, link, record_event
from store.models import Case, CaseStatus, Label, LinkKind, TriageProposal


def _label(value: str) -> Label:
    # A model trained on another organisation's labels may say something we do not queue.
    try:
        return Label(value)
    except ValueError:
        return Label.OTHER


def _store_proposal(item: WorkItem, session: Session, case: Case) -> TriageProposal:
    prediction = item.prediction
    assert prediction is not None
    proposal = TriageProposal(
        case_id=case.id or 0,
        message_id=item.stored.id if item.stored else None,
        label=_label(prediction.label),
        scores={k: round(float(v), 4) for k, v in prediction.scores.items()},
        stage=prediction.stage,
        hazards=list(prediction.hazards),
        vulnerability=prediction.vulnerability,
        definition=item.draft_definition,
        provision=prediction.provision,
        reasons=list(prediction.reasons),
        evidence=list(prediction.evidence),
        steps=item.trace,
        model_version=prediction.model_version,
    )
    session.add(proposal)
    session.flush()
    return proposal


def _apply_to_new_case(item: WorkItem, case: Case, proposal: TriageProposal) -> None:
    prediction = item.prediction
    assert prediction is not None
    case.proposed_label = proposal.label
    case.proposed_confidence = prediction.confidence
    case.proposal_id = proposal.id
    case.stage = prediction.stage if proposal.label is Label.COMPLAINT else None
    # Later messages add to what we know; they never clear an earlier flag.
    case.hazards = sorted(set(case.hazards) | set(prediction.hazards))
    case.has_hazards = bool(case.hazards)
    case.emergency = case.emergency or item.emergency
    case.vulnerability = case.vulnerability or prediction.vulnerability
    case.possible_exclusions = sorted(set(case.possible_exclusions) | set(item.possible_exclusions))
    if item.draft_definition is not None:
        case.definition = {
            k: v for k, v in item.draft_definition.items() if not k.endswith("_evidence")
        }


def _split_off(
    item: WorkItem, ctx: AppContext, session: Session, old: Case, kind: LinkKind
) -> Case:
    """Open a new case for this message, linked to the case it replied in."""
    message = item.message
    assert message is not None and message.received_at is not None and item.stored is not None
    new = Case(
        channel=old.channel,
        received_at=message.received_at,
        subject=message.subject[:500],
        summary=item.stored.body_text.strip().splitlines()[0][:500]
        if item.stored.body_text.strip()
        else old.summary,
        resident_id=old.resident_id,
        representative_id=old.representative_id,
    )
    session.add(new)
    session.flush()
    item.stored.case_id = new.id
    item.case = new
    if kind is LinkKind.COMPLAINT_ABOUT_SERVICE_REQUEST:
        link(session, ctx, old, new, Actor.system(), kind)
    else:
        link(session, ctx, new, old, Actor.system(), kind)
    provisional_deadline(ctx, new)
    return new


def _continue_case(item: WorkItem, ctx: AppContext, session: Session, case: Case) -> Case:
    """Decide what a message in an already-confirmed case means."""
    prediction = item.prediction
    assert prediction is not None
    resident = Actor.system("resident")
    complaint = prediction.label == "complaint"
    if case.label is Label.COMPLAINT and case.stage == 1:
        # Unhappy with the stage 1 response: stage 2 (6.10); a new unrelated issue is a new
        # complaint instead (6.8), split off below.
        if case.status in (CaseStatus.RESPONDED, CaseStatus.CLOSED) and complaint and item.related:
            escalate(
                session,
                ctx,
                case,
                resident,
                requested_at=item.message.received_at if item.message else None,
            )
            item.escalation = True
            return case
        if case.status in (CaseStatus.AWAITING_ACKNOWLEDGEMENT, CaseStatus.INVESTIGATING) and (
            item.related or not complaint
        ):
            item.joined_existing = True
            record_event(
                session,
                case,
                "additional_issue",
                "The resident raised more before the stage 1 response; it joins this complaint "
                "(Code 6.8). Review the definition.",
                resident,
                message_id=item.stored.id if item.stored else None,
                at=ctx.clock(),
            )
            return case
    if (
        case.label is Label.COMPLAINT
        and case.stage == 2
        and case.status in (CaseStatus.RESPONDED, CaseStatus.CLOSED)
        and complaint
    ):
        record_event(
            session,
            case,
            "dissatisfied_after_final_response",
            "The resident is still unhappy after the final response: remind them of the "
            "Housing Ombudsman (Code 6.19 g).",
            resident,
            at=ctx.clock(),
        )
        return case
    if case.label is Label.SERVICE_REQUEST and complaint:
        return _split_off(item, ctx, session, case, LinkKind.COMPLAINT_ABOUT_SERVICE_REQUEST)
    if case.label is Label.COMPLAINT and prediction.label == "service_request":
        return _split_off(item, ctx, session, case, LinkKind.RELATED)
    if case.label is Label.COMPLAINT and complaint and case.status is not CaseStatus.REFUSED:
        return _split_off(item, ctx, session, case, LinkKind.ADDITIONAL_COMPLAINT)
    record_event(
        session, case, "message_received", "A further message arrived", resident, at=ctx.clock()
    )
    return case


def run(item: WorkItem, ctx: AppContext, session: Session) -> None:
    """File the proposal and move the case (or a new one) into the triage queue."""
    case = item.case
    assert case is not None and item.prediction is not None
    if case.status is not CaseStatus.NEW and case.label is not None:
        case = _continue_case(item, ctx, session, case)
    previous = case.proposed_label, case.emergency, case.stage
    proposal = _store_proposal(item, session, case)
    if case.status is CaseStatus.NEW:
        _apply_to_new_case(item, case, proposal)
    case.updated_at = ctx.clock()
    if not item.new_case and (case.proposed_label, case.emergency, case.stage) == previous:
        # A further turn (e.g. in a chat) that changes nothing: the proposal is stored, but the
        # history only records proposals that change what the team lead sees.
        return
    label = proposal.label.value.replace("_", " ")
    record_event(
        session,
        case,
        "proposed",
        f"Proposed as {label} ({item.prediction.confidence:.0%}), "
        f"Code {proposal.provision or '1.2'}",
        Actor.system("Intake"),
        proposal_id=proposal.id,
        at=ctx.clock(),
    )
