"""SQLModel tables for the whole case record (Code 5.12), importable from one place."""

from store.models.case import (
    AppendOnlyError,
    Case,
    CaseLink,
    CaseStage,
    Event,
    Exclusion,
    Extension,
    OutstandingAction,
    TriageProposal,
    format_reference,
)
from store.models.chat import ChatConversation, ChatTurn
from store.models.enums import (
    OPEN_STATUSES,
    ROLE_RANK,
    CaseStatus,
    Channel,
    Direction,
    ExclusionGround,
    InboundStatus,
    Label,
    LinkKind,
    OutboundStatus,
    Outcome,
    Role,
)
from store.models.message import Attachment, Inbound, Message, OutboundMail
from store.models.people import ApiToken, ReasonableAdjustment, Representative, Resident, StaffUser
from store.models.slack import SlackCard, SlackDigestRun
from store.models.web_session import SignInFailure, WebSession

__all__ = [
    "OPEN_STATUSES",
    "ROLE_RANK",
    "ApiToken",
    "AppendOnlyError",
    "Attachment",
    "Case",
    "CaseLink",
    "CaseStage",
    "CaseStatus",
    "Channel",
    "ChatConversation",
    "ChatTurn",
    "Direction",
    "Event",
    "Exclusion",
    "ExclusionGround",
    "Extension",
    "Inbound",
    "InboundStatus",
    "Label",
    "LinkKind",
    "Message",
    "OutboundMail",
    "OutboundStatus",
    "Outcome",
    "OutstandingAction",
    "ReasonableAdjustment",
    "Representative",
    "Resident",
    "Role",
    "SignInFailure",
    "SlackCard",
    "SlackDigestRun",
    "StaffUser",
    "TriageProposal",
    "WebSession",
    "format_reference",
]
