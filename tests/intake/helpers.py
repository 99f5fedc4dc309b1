"""Small builders for tests: a case as the pipeline would leave it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from intake.context import AppContext
from intake.workflow import Actor, provisional_deadline
from store.models import Case, Channel, Label, Resident


def new_case(
    session: Session,
    ctx: AppContext,
    *,
    received_at: datetime | None = None,
    proposed: Label = Label.COMPLAINT,
    email: str = "resident@example.org",
    definition: dict | None = None,  # type: ignore[type-arg]
) -> Case:
    resident = Resident(name="Mrs Jones", email=email)
    session.add(resident)
    session.flush()
    case = Case(
        channel=Channel.EMAIL,
        received_at=received_at or ctx.clock(),
        subject="Repairs",
        summary="I reported my boiler twice and nobody came",
        resident_id=resident.id,
        proposed_label=proposed,
        proposed_confidence=0.9,
        definition=definition
        if definition is not None
        else {
            "issues": ["Boiler reported twice and nobody came"],
            "outcomes": ["Wants the boiler fixed"],
        },
    )
    session.add(case)
    session.flush()
    provisional_deadline(ctx, case)
    session.commit()
    return case


def staff(user) -> Actor:  # type: ignore[no-untyped-def]
    return Actor.staff(user)
