"""Residents, their representatives, reasonable adjustments, and staff accounts."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from store.models.enums import Role
from store.types import UTCDateTime, enum_type, utcnow


class Resident(SQLModel, table=True):
    """The person the complaint or request is for (the complainant, never the staff member)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=320, index=True)
    phone: str = Field(default="", max_length=50)
    address: str = Field(default="", max_length=500)
    tenancy_ref: str = Field(default="", max_length=100, index=True)
    contact_preference: str = Field(default="", max_length=100)
    # Disabilities and needs disclosed by the resident (5.10), in their words.
    disclosed_needs: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Representative(SQLModel, table=True):
    """Someone acting for the resident: relative, advocate, councillor, MP (1.3, 3.6)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    relationship: str = Field(default="", max_length=100)
    organisation: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=320)
    phone: str = Field(default="", max_length=50)
    consent_obtained: bool = False
    consent_evidence: str = Field(default="", max_length=1000)
    consent_recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReasonableAdjustment(SQLModel, table=True):
    """An adjustment agreed with a resident, kept under review (5.10)."""

    __tablename__ = "reasonable_adjustment"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    description: str = Field(max_length=1000)
    agreed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    review_on: date | None = None
    last_reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    active: bool = True


class StaffUser(SQLModel, table=True):
    """A member of staff who signs in; their role limits what they see and do."""

    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    display_name: str = Field(default="", max_length=200)
    role: Role = Field(default=Role.FRONTLINE, sa_type=enum_type(Role))
    password_hash: str = Field(default="", max_length=500)
    is_active: bool = True
    must_change_password: bool = True
    slack_user_id: str | None = Field(default=None, max_length=50, unique=True)
    oidc_subject: str | None = Field(default=None, max_length=255, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def name(self) -> str:
        """What to show for this person."""
        return self.display_name or self.email


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="staff_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    label: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
