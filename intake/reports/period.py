"""Reporting periods: custom date ranges, and financial quarters and years (April to March)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# Social landlords report on the financial year, 1 April to 31 March.
FIRST_MONTH = 4
MAX_DAYS = 3653  # ten years: beyond that the month-by-month table stops being readable
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class PeriodError(ValueError):
    """A period that cannot be reported on; the message is shown to the person as-is."""


@dataclass(frozen=True)
class Period:
    """A run of whole days, both ends included, in the landlord's calendar."""

    start: date
    end: date
    label: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(
                f"The period ends ({long(self.end)}) before it starts ({long(self.start)})."
            )

    def contains(self, day: date | None) -> bool:
        """True when `day` falls in the period."""
        return day is not None and self.start <= day <= self.end

    def overlaps(self, other: Period) -> bool:
        """True when the two periods share at least one day."""
        return self.start <= other.end and other.start <= self.end

    @property
    def title(self) -> str:
        """The label if it has one, else the dates."""
        return self.label or self.describe()

    def describe(self) -> str:
        """The dates in words: 1 April 2026 to 31 March 2027."""
        return f"{long(self.start)} to {long(self.end)}"


def long(day: date) -> str:
    """A date in words without the weekday: 1 April 2026."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def financial_year_start(day: date) -> int:
    """The calendar year in which the financial year holding `day` begins."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def financial_year(start_year: int) -> Period:
    """The financial year that begins on 1 April of `start_year`: '2026/27'."""
    return Period(
        date(start_year, FIRST_MONTH, 1),
        date(start_year + 1, FIRST_MONTH, 1) - timedelta(days=1),
        f"{start_year}/{(start_year + 1) % 100:02d}",
    )


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def financial_quarter(day: date) -> Period:
    """The financial quarter holding `day`: 'Q1 2026/27 (April to June 2026)'."""
    year = financial_year_start(day)
    number = ((day.month - FIRST_MONTH) % 12) // 3 + 1
    start = _add_months(date(year, FIRST_MONTH, 1), (number - 1) * 3)
    end = _add_months(start, 3) - timedelta(days=1)
    months = f"{MONTH_NAMES[start.month - 1]} to {MONTH_NAMES[end.month - 1]} {end.year}"
    return Period(start, end, f"Q{number} {year}/{(year + 1) % 100:02d} ({months})")


def quarters_for(period: Period, at_least: int = 4) -> list[Period]:
    """The quarters overlapping `period`, extended back to `at_least` quarters for comparison."""
    quarters = [financial_quarter(period.start)]
    while quarters[-1].end < period.end:
        quarters.append(financial_quarter(quarters[-1].end + timedelta(days=1)))
    while len(quarters) < at_least:
        quarters.insert(0, financial_quarter(quarters[0].start - timedelta(days=1)))
    return quarters


def months_for(period: Period) -> list[Period]:
    """The calendar months overlapping `period`, each cut to the period's ends."""
    months: list[Period] = []
    start = date(period.start.year, period.start.month, 1)
    while start <= period.end:
        end = _add_months(start, 1) - timedelta(days=1)
        months.append(
            Period(
                max(start, period.start),
                min(end, period.end),
                f"{MONTH_NAMES[start.month - 1][:3]} {start.year}",
            )
        )
        start = end + timedelta(days=1)
    return months


def parse_day(text: str, what: str) -> date:
    """A YYYY-MM-DD date, or a PeriodError naming which date is wrong."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(
            f"The {what} date {text!r} is not a date: write it as YYYY-MM-DD, "
            "for example 2026-04-01."
        ) from None


def parse_period(start: str, end: str) -> Period:
    """A custom period from two YYYY-MM-DD dates; named when it is a financial year or quarter."""
    period = Period(parse_day(start, "from"), parse_day(end, "to"))
    if (period.end - period.start).days > MAX_DAYS:
        raise PeriodError("Choose a period of at most ten years.")
    for known in (
        financial_quarter(period.start),
        financial_year(financial_year_start(period.start)),
    ):
        if (known.start, known.end) == (period.start, period.end):
            return known
    return period


def presets(today: date, count: int = 8) -> list[Period]:
    """Recent quarters and financial years for the period picker, newest first."""
    quarters = [financial_quarter(today)]
    while len(quarters) < count:
        quarters.append(financial_quarter(quarters[-1].start - timedelta(days=1)))
    this_year = financial_year_start(today)
    years = [financial_year(this_year - n) for n in range(3)]
    return quarters + years
