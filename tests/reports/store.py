"""A store of known cases for the report tests, built through the Code's workflow.

The reported period is 1 November 2026 to 31 January 2027, produced on Monday 1 February 2027.
England's bank holidays in it: Friday 25 December, Monday 28 December (Boxing Day observed)
and Friday 1 January. Every date below was counted by hand; the comments show the counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from intake.context import AppContext
from intake.workflow import (
    Actor,
    acknowledge,
    close,
    confirm,
    escalate,
    extend,
    link,
    provisional_deadline,
    refuse,
    respond,
)
from store.models import Case, Channel, ExclusionGround, Extension, Label, Outcome, StaffUser

PRODUCED = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)  # Monday; London is on GMT


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """A moment in winter, when London time is UTC."""
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


@dataclass
class Known:
    """The ids of the cases the tests check figures against."""

    c1: int = 0
    c2: int = 0
    c3: int = 0
    c4: int = 0
    c5: int = 0
    c6: int = 0
    c7: int = 0
    c8: int = 0
    c9: int = 0
    sr1: int = 0
    sr2: int = 0
    sr3: int = 0
    o1: int = 0
    n1: int = 0


def add_case(
    session: Session,
    ctx: AppContext,
    received: datetime,
    *,
    channel: Channel = Channel.EMAIL,
    category: str = "",
    hazards: tuple[str, ...] = (),
    vulnerable: bool = False,
    proposed: Label = Label.COMPLAINT,
) -> Case:
    """A case as the pipeline leaves it, waiting for a person to confirm it."""
    case = Case(
        channel=channel,
        received_at=received,
        subject="Message",
        summary="A message from a resident",
        proposed_label=proposed,
        proposed_confidence=0.9,
        definition={"issues": ["Something went wrong"], "outcomes": ["Put it right"]},
        category=category,
        hazards=list(hazards),
        has_hazards=bool(hazards),
        vulnerability=vulnerable,
    )
    session.add(case)
    session.flush()
    provisional_deadline(ctx, case)
    session.commit()
    return case


def build(session: Session, ctx: AppContext, lead: StaffUser, lead2: StaffUser) -> Known:
    """Every case the report tests count, moving the clock as the staff would have."""
    clock = ctx.clock
    me, other = Actor.staff(lead), Actor.staff(lead2)
    ids = Known()

    def now(moment: datetime) -> None:
        clock.now = moment  # type: ignore[attr-defined]

    def complaint(received: datetime, **kw: object) -> Case:
        now(received)
        case = add_case(session, ctx, received, **kw)  # type: ignore[arg-type]
        confirm(session, ctx, case, me, label=Label.COMPLAINT)
        session.commit()
        return case

    # C1: received Mon 2 Nov; acknowledge by Mon 9 Nov; acknowledged Wed 4 Nov (on time);
    # respond by 10 working days after 4 Nov = Wed 18 Nov; answered Tue 17 Nov (on time).
    c1 = complaint(at(2026, 11, 2, 9), channel=Channel.EMAIL, category="Repairs")
    now(at(2026, 11, 4))
    acknowledge(session, ctx, c1, me)
    now(at(2026, 11, 17))
    respond(
        session,
        ctx,
        c1,
        me,
        decision=Outcome.UPHELD,
        reasons="We missed the visit.",
        remedy="Apology and repair",
        compensation_pence=5000,
    )
    close(session, ctx, c1, me)
    session.commit()
    ids.c1 = c1.id or 0

    # C2: received Fri 18 Dec at 16:00. Acknowledge by: 21, 22, 23, 24 Dec, (25 and 28 Dec are
    # bank holidays) 29 Dec = 5th working day. Acknowledged Tue 29 Dec: on time. Respond by:
    # 30, 31 Dec, (1 Jan holiday) 4-8, 11, 12, 13 Jan = Wed 13 Jan. Answered Thu 14 Jan: late.
    c2 = complaint(at(2026, 12, 18, 16), channel=Channel.CHAT, category="Repairs")
    now(at(2026, 12, 29))
    acknowledge(session, ctx, c2, me)
    now(at(2027, 1, 14))
    respond(session, ctx, c2, me, decision=Outcome.NOT_UPHELD, reasons="The work was done.")
    session.commit()
    ids.c2 = c2.id or 0

    # C3: received Thu 5 Nov (damp, vulnerable household, by phone). Acknowledge by Thu 12 Nov;
    # acknowledged Mon 9 Nov. Respond by Mon 23 Nov. Extended on Fri 20 Nov by 10 working days
    # to Mon 7 Dec (the Code's cap). Answered Fri 4 Dec: late against 10 days, on time with the
    # extension. Escalated Tue 8 Dec: acknowledge by Tue 15 Dec; acknowledged Mon 14 Dec by a
    # different handler (6.13). Respond by 14 Dec + 20 working days, skipping 25 and 28 Dec and
    # 1 Jan = Thu 14 Jan. Answered Wed 13 Jan: on time.
    c3 = complaint(
        at(2026, 11, 5, 11),
        channel=Channel.PHONE,
        category="Damp and mould",
        hazards=("damp_mould",),
        vulnerable=True,
    )
    now(at(2026, 11, 9))
    acknowledge(session, ctx, c3, me)
    now(at(2026, 11, 20))
    extend(
        session,
        ctx,
        c3,
        me,
        new_date=date(2026, 12, 7),
        reason="Waiting for a damp survey",
        agreed_with_resident=True,
    )
    session.commit()
    # The workflow stamps an extension with the wall clock; put it on the day it was made here.
    extension = session.exec(select(Extension).where(Extension.case_id == c3.id)).one()
    extension.created_at = at(2026, 11, 20)
    session.add(extension)
    now(at(2026, 12, 4))
    respond(
        session,
        ctx,
        c3,
        me,
        decision=Outcome.PARTLY_UPHELD,
        reasons="Survey found mould.",
        remedy="Mould wash",
        compensation_pence=10000,
    )
    session.commit()
    now(at(2026, 12, 8, 14))
    escalate(session, ctx, c3, Actor.system("resident"))
    session.commit()
    now(at(2026, 12, 14))
    acknowledge(session, ctx, c3, other)
    now(at(2027, 1, 13))
    respond(
        session,
        ctx,
        c3,
        other,
        decision=Outcome.UPHELD,
        reasons="Stage 1 fell short.",
        remedy="Compensation increased",
        compensation_pence=5000,
    )
    session.commit()
    ids.c3 = c3.id or 0

    # C4: confirmed, then refused at stage 1: over 12 months. C5: refused before confirming.
    c4 = complaint(at(2026, 11, 10), category="Communication")
    refuse(session, ctx, c4, me, ground=ExclusionGround.OVER_12_MONTHS, reason="From 2024.")
    session.commit()
    ids.c4 = c4.id or 0
    now(at(2026, 11, 11))
    c5 = add_case(session, ctx, at(2026, 11, 11))
    refuse(session, ctx, c5, me, ground=ExclusionGround.LEGAL_PROCEEDINGS, reason="In court.")
    session.commit()
    ids.c5 = c5.id or 0

    # C6: received Mon 25 Jan; acknowledge by Mon 1 Feb = the day of the report: still pending.
    ids.c6 = complaint(at(2027, 1, 25, 9), category="Repairs").id or 0
    # C7: received Mon 11 Jan by Slack; acknowledge by Mon 18 Jan; never acknowledged: late.
    # Its response could still be on time if acknowledged today (18 Jan + 10 = Mon 1 Feb).
    ids.c7 = (
        complaint(at(2027, 1, 11), channel=Channel.SLACK, category="Anti-social behaviour").id or 0
    )
    # C8: received Mon 30 Nov; acknowledge by Mon 7 Dec; acknowledged Tue 8 Dec (late).
    # Respond by Tue 22 Dec; no answer by 1 Feb: overdue. It is about service request SR1 (1.5).
    c8 = complaint(at(2026, 11, 30, 9), category="Repairs")
    now(at(2026, 12, 8))
    acknowledge(session, ctx, c8, me)
    session.commit()
    ids.c8 = c8.id or 0

    # C9: before the period (Q2): received Mon 7 Sep, acknowledged Tue 8 Sep (by Mon 14 Sep),
    # answered Mon 21 Sep (by Tue 22 Sep).
    c9 = complaint(at(2026, 9, 7, 9), category="Repairs")
    now(at(2026, 9, 8))
    acknowledge(session, ctx, c9, me)
    now(at(2026, 9, 21))
    respond(session, ctx, c9, me, decision=Outcome.UPHELD, reasons="Agreed.")
    session.commit()
    ids.c9 = c9.id or 0

    def service_request(received: datetime, **kw: object) -> Case:
        now(received)
        case = add_case(session, ctx, received, proposed=Label.SERVICE_REQUEST, **kw)  # type: ignore[arg-type]
        confirm(session, ctx, case, me, label=Label.SERVICE_REQUEST)
        session.commit()
        return case

    sr1 = service_request(at(2026, 11, 16), category="Repairs", hazards=("water_leak",))
    ids.sr1 = sr1.id or 0
    ids.sr2 = (
        service_request(
            at(2027, 1, 12),
            channel=Channel.PHONE,
            category="Pest control",
            hazards=("pests",),
            vulnerable=True,
        ).id
        or 0
    )
    ids.sr3 = service_request(at(2026, 8, 3), category="Repairs").id or 0
    link(session, ctx, sr1, session.get(Case, ids.c8), me)  # type: ignore[arg-type]
    session.commit()

    now(at(2026, 11, 18))
    other_message = add_case(session, ctx, at(2026, 11, 18), proposed=Label.OTHER)
    confirm(session, ctx, other_message, me, label=Label.OTHER)
    session.commit()
    ids.o1 = other_message.id or 0
    ids.n1 = add_case(session, ctx, at(2027, 1, 29)).id or 0  # never confirmed
    now(PRODUCED)
    return ids
