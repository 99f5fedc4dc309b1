"""The Code's working-day deadlines (6.2-6.16) under a landlord's policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from intake.calendar import WorkingCalendar
from intake.settings import Policy


class DeadlineError(ValueError):
    """A deadline question that has no lawful answer (e.g. an extension beyond the Code's cap)."""


@dataclass(frozen=True)
class Deadlines:
    """The dates a complaint at one stage must meet, in the landlord's calendar."""

    stage: int
    day_zero: date
    acknowledge_by: date
    respond_by: date
    extension_limit: date

    def to_contract(self) -> dict[str, str]:
        """The JSON that `intake deadlines` prints."""
        return {
            "acknowledge_by": self.acknowledge_by.isoformat(),
            "respond_by": self.respond_by.isoformat(),
            "extension_limit": self.extension_limit.isoformat(),
        }


def _targets(policy: Policy, stage: int) -> tuple[int, int, int]:
    if stage == 1:
        return policy.acknowledge_days, policy.stage1_response_days, policy.stage1_extension_days
    if stage == 2:
        return (
            policy.stage2_acknowledge_days,
            policy.stage2_response_days,
            policy.stage2_extension_days,
        )
    # 5.2 / 5.3: there is no stage 0 and no third stage.
    raise DeadlineError(f"There is no stage {stage}: the Code allows stage 1 and stage 2 only")


def compute_deadlines(
    received: datetime | date,
    *,
    calendar: WorkingCalendar,
    policy: Policy | None = None,
    stage: int = 1,
    acknowledged: date | None = None,
) -> Deadlines:
    """Deadlines for a complaint (or stage 2 request) received at `received`.

    Day zero is the day of receipt, or the next working day when it arrives on a weekend or
    bank holiday; each deadline is the Nth working day after its day zero. The response clock
    starts at acknowledgement (6.3, 6.14), assumed on the acknowledge-by day until it happens.
    """
    policy = policy or Policy()
    ack_days, respond_days, extension_days = _targets(policy, stage)
    received_day = calendar.local_date(received) if isinstance(received, datetime) else received
    start = calendar.day_zero(received_day)
    acknowledge_by = calendar.add_working_days(start, ack_days)
    ack_day = acknowledged if acknowledged is not None else acknowledge_by
    respond_by = calendar.add_working_days(ack_day, respond_days)
    return Deadlines(
        stage=stage,
        day_zero=start,
        acknowledge_by=acknowledge_by,
        respond_by=respond_by,
        extension_limit=calendar.add_working_days(respond_by, extension_days),
    )


def extension_cap(
    respond_by: date, *, stage: int, calendar: WorkingCalendar, policy: Policy
) -> date:
    """The latest date an extension may reach (6.4, 6.15)."""
    _, _, extension_days = _targets(policy, stage)
    return calendar.add_working_days(respond_by, extension_days)
