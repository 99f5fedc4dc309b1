"""The report as CSV: one row per figure, the cases behind it in the last column."""

from __future__ import annotations

import csv
import io

from intake.reports.context_lines import context_lines
from intake.reports.model import Figure, Report

CSV_COLUMNS = (
    "section",
    "provision",
    "key",
    "figure",
    "value",
    "count",
    "out_of",
    "percent",
    "per_1000_homes",
    "amount_gbp",
    "cases",
)


def _csv_row(section: str, provision: str, label: str, f: Figure) -> list[str]:
    return [
        section,
        provision,
        f.key,
        label,
        f.display(),
        str(f.count),
        "" if f.of is None else str(f.of),
        "" if f.share is None else f"{f.share * 100:.1f}",
        "" if f.per_thousand is None else f"{f.per_thousand:.2f}",
        "" if f.amount_pence is None else f"{f.amount_pence / 100:.2f}",
        " ".join(f.references),
    ]


def render_csv(report: Report) -> str:
    """One row per figure, with the references of the cases behind it in the last column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for key, label, value in context_lines(report):
        writer.writerow(["Report", "", f"report.{key}", label, value])
    for note in report.notes:
        writer.writerow(["Report", "", "report.note", "Note", note])
    for section in report.sections:
        for f in section.figures:
            writer.writerow(_csv_row(section.title, section.provision, f.label, f))
    for table in report.tables:
        for label, cells in table.rows:
            for column, f in zip(table.columns, cells, strict=True):
                writer.writerow(_csv_row(table.title, table.provision, f"{label} — {column}", f))
    return buffer.getvalue()
