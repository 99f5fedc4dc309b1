"""Enumerations stored as plain strings, so PostgreSQL needs no enum types to migrate."""

from __future__ import annotations

from enum import StrEnum


class Label(StrEnum):
    """What a message is, under Code 1.2-1.6."""

    COMPLAINT = "complaint"
    SERVICE_REQUEST = "service_request"
    OTHER = "other"


class CaseStatus(StrEnum):
    """Where a case is in the workflow. Deliberately not named like stages (Code 5.2, 5.3)."""

    NEW = "new"  # awaiting a person to confirm the triage proposal
    AWAITING_ACKNOWLEDGEMENT = "awaiting_acknowledgement"  # complaint confirmed
    INVESTIGATING = "investigating"  # acknowledged and defined; response due
    RESPONDED = "responded"  # stage response issued; outstanding actions may remain (6.6)
    OPEN = "open"  # service request being dealt with (1.4)
    REFUSED = "refused"  # not accepted under an exclusion (section 2)
    CLOSED = "closed"


OPEN_STATUSES = (
    CaseStatus.NEW,
    CaseStatus.AWAITING_ACKNOWLEDGEMENT,
    CaseStatus.INVESTIGATING,
    CaseStatus.RESPONDED,
    CaseStatus.OPEN,
)


class Channel(StrEnum):
    """How the message reached the landlord (Code 3.1, 3.2)."""

    EMAIL = "email"
    CHAT = "chat"
    SLACK = "slack"
    STAFF_FORM = "staff_form"
    PHONE = "phone"
    IN_PERSON = "in_person"
    LETTER = "letter"
    SOCIAL_MEDIA = "social_media"
    OTHER = "other"


class Direction(StrEnum):
    """Whether a message came in from the resident or went out from the landlord."""

    IN = "in"
    OUT = "out"


class Role(StrEnum):
    """Staff roles; each includes what the one before may do."""

    FRONTLINE = "frontline"
    TEAM_LEAD = "team_lead"
    ADMIN = "admin"


ROLE_RANK = {Role.FRONTLINE: 0, Role.TEAM_LEAD: 1, Role.ADMIN: 2}


class ExclusionGround(StrEnum):
    """The exclusions the Code accepts as fair and reasonable (2.2)."""

    OVER_12_MONTHS = "over_12_months"
    LEGAL_PROCEEDINGS = "legal_proceedings"
    PREVIOUSLY_CONSIDERED = "previously_considered"
    OTHER_POLICY_REASON = "other_policy_reason"


class Outcome(StrEnum):
    """The decision on a complaint, in the Ombudsman's own terms."""

    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    NOT_UPHELD = "not_upheld"
    WITHDRAWN = "withdrawn"
    RESOLVED = "resolved"  # a service request put right


class LinkKind(StrEnum):
    """Why two cases are linked."""

    COMPLAINT_ABOUT_SERVICE_REQUEST = "complaint_about_service_request"  # 1.5
    ADDITIONAL_COMPLAINT = "additional_complaint"  # 6.8: new issue after the response
    RELATED = "related"


class InboundStatus(StrEnum):
    """A received message's place in the intake queue."""

    QUEUED = "queued"
    PROCESSING = "processing"
    DONE = "done"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"  # auto-replies, bounces: stored, never acknowledged
    QUARANTINED = "quarantined"


class OutboundStatus(StrEnum):
    """An outgoing letter's delivery state."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after retries; shown to staff
