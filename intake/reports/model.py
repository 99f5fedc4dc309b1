"""The report as plain data: figures with the cases behind them, sections, tables and context."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from intake.reports.period import Period
from store.models import format_reference


@dataclass
class Figure:
    """One number in the report, with what it is out of and the cases that make it up."""

    key: str  # stable and unique: how formats, links and tests name the figure
    label: str
    count: int
    case_ids: list[int] = field(default_factory=list)
    of: int | None = None  # the denominator, when the figure is a share
    per_thousand: float | None = None  # CH01: per 1,000 homes
    amount_pence: int | None = None
    note: str = ""

    @property
    def share(self) -> float | None:
        """count / of, or None when there is nothing to divide by."""
        if self.of is None or self.of == 0:
            return None
        return self.count / self.of

    @property
    def percent(self) -> str:
        """The share as a percentage with one decimal, or a dash when there is none."""
        share = self.share
        return "—" if share is None else f"{share * 100:.1f}%"

    @property
    def references(self) -> list[str]:
        """The public references of the cases behind the figure."""
        return [format_reference(case_id) for case_id in self.case_ids]

    def display(self) -> str:
        """The figure as a person reads it, in every format."""
        if self.amount_pence is not None:
            return f"£{self.amount_pence / 100:,.2f}"
        if self.per_thousand is not None:
            return f"{self.per_thousand:.2f} per 1,000 homes ({self.count})"
        if self.of is not None:
            if not self.of:
                return "none to measure"
            return f"{self.percent} ({self.count} of {self.of})"
        return str(self.count)


@dataclass(frozen=True)
class Chart:
    """A chart as SVG text, with a sentence giving its data for screen readers."""

    svg: str
    description: str


@dataclass
class Section:
    """A titled list of figures, with the Code provision and the definition behind them."""

    key: str
    title: str
    provision: str
    definition: str
    figures: list[Figure]
    empty: str = "None in this period."
    chart: str | None = None  # key into Report.charts


@dataclass
class Table:
    """Figures laid out by row and column, e.g. measures by quarter."""

    key: str
    title: str
    provision: str
    definition: str
    columns: list[str]
    rows: list[tuple[str, list[Figure]]]
    # Columns outside the reported period, shown for comparison only.
    context_columns: set[int] = field(default_factory=set)
    chart: str | None = None


@dataclass
class Report:
    """A complaint performance report for one period, ready for any format."""

    period: Period
    produced_at: datetime  # aware, landlord's local time
    landlord: str
    nation: str
    homes_count: int
    policy: dict[str, int]
    code_limits: dict[str, int]
    sections: list[Section]
    tables: list[Table]
    empty: bool
    notes: list[str] = field(default_factory=list)
    charts: dict[str, Chart] = field(default_factory=dict)

    def figures(self) -> Iterator[Figure]:
        """Every figure, in order: sections first, then tables row by row."""
        for section in self.sections:
            yield from section.figures
        for table in self.tables:
            for _, cells in table.rows:
                yield from cells

    def figure(self, key: str) -> Figure | None:
        """The figure with this key, if the report has it."""
        return next((f for f in self.figures() if f.key == key), None)

    def section(self, key: str) -> Section | None:
        """The section with this key."""
        return next((s for s in self.sections if s.key == key), None)

    def context(self) -> dict[str, Any]:
        """What makes the report reproducible: period, policy, nation, homes, time produced."""
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "period": self.period.title,
            "produced_at": self.produced_at.isoformat(timespec="seconds"),
            "landlord": self.landlord,
            "nation": self.nation,
            "homes_count": self.homes_count,
            "policy_working_days": self.policy,
            "code_limits_working_days": self.code_limits,
        }


def unique(ids: Iterable[int]) -> list[int]:
    """Case ids in first-seen order, each once."""
    return list(dict.fromkeys(ids))
