"""Working days: Monday to Friday less the bank holidays of the landlord's nation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from intake.settings import Nation

LONDON = ZoneInfo("Europe/London")

# ISO 3166-2:GB subdivisions the holidays package knows.
_SUBDIVISIONS = {
    Nation.ENGLAND: "ENG",
    Nation.WALES: "WLS",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}


class WorkingCalendar:
    """Counts working days for one nation, in the landlord's time zone."""

    def __init__(self, nation: Nation | str = Nation.ENGLAND, timezone: str = "Europe/London"):
        self.nation = Nation(nation)
        self.zone = ZoneInfo(timezone)
        self._holidays = holidays.country_holidays("GB", subdiv=_SUBDIVISIONS[self.nation])

    def holiday_name(self, day: date) -> str | None:
        """The bank holiday's name on `day`, or None."""
        name = self._holidays.get(day)
        return str(name) if name else None

    def is_working_day(self, day: date) -> bool:
        """True for a weekday that is not a bank holiday."""
        return day.weekday() < 5 and day not in self._holidays

    def local_date(self, moment: datetime) -> date:
        """The landlord's calendar date of a moment; a naive datetime is already local time."""
        if moment.tzinfo is None:
            return moment.date()
        return moment.astimezone(self.zone).date()

    def day_zero(self, day: date) -> date:
        """The day counting starts from: `day` itself, or the next working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, count: int) -> date:
        """The `count`-th working day after day zero of `start` (count 0 is day zero itself)."""
        day = self.day_zero(start)
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative when `end` is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


@lru_cache(maxsize=8)
def calendar_for(
    nation: Nation | str = Nation.ENGLAND, timezone: str = "Europe/London"
) -> WorkingCalendar:
    """A shared calendar per nation: building the holiday table is not free."""
    return WorkingCalendar(nation, timezone)


def to_utc(moment: datetime, zone: ZoneInfo = LONDON) -> datetime:
    """Normalise to an aware UTC datetime; a naive value is taken as landlord (London) time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def utcnow() -> datetime:
    """The current moment, aware, in UTC."""
    return datetime.now(UTC)
