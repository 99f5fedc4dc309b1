"""The report as a Markdown document (charts are in the HTML format)."""

from __future__ import annotations

from intake.reports.context_lines import context_lines
from intake.reports.model import Figure, Report, Section, Table


def _cell(figure: Figure) -> str:
    return "—" if figure.of == 0 else figure.display()


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_section(section: Section) -> list[str]:
    lines = [f"## {section.title}", "", f"*{section.provision}.* {section.definition}", ""]
    if not any(f.count or f.of for f in section.figures):
        lines += [section.empty, ""]
    lines += ["| Figure | Number | Out of | Share |", "|---|---:|---:|---:|"]
    for f in section.figures:
        number = f.display() if (f.amount_pence is not None or f.per_thousand) else str(f.count)
        out_of = "" if f.of is None else str(f.of)
        share = "" if f.of is None else f.percent
        lines.append(f"| {_md_escape(f.label)} | {number} | {out_of} | {share} |")
    notes = [f.note for f in section.figures if f.note]
    if notes:
        lines += ["", *dict.fromkeys(notes)]
    return [*lines, ""]


def _md_table(table: Table) -> list[str]:
    lines = [f"## {table.title}", "", f"*{table.provision}.* {table.definition}", ""]
    if not table.rows:
        return [*lines, "None in this period.", ""]
    headings = [
        c + (" (for comparison)" if i in table.context_columns else "")
        for i, c in enumerate(table.columns)
    ]
    lines.append("| | " + " | ".join(_md_escape(h) for h in headings) + " |")
    lines.append("|---|" + "---:|" * len(headings))
    for label, cells in table.rows:
        lines.append(f"| {_md_escape(label)} | " + " | ".join(_cell(c) for c in cells) + " |")
    return [*lines, ""]


def render_markdown(report: Report) -> str:
    """A Markdown document; charts are in the HTML format."""
    lines = [f"# Complaint performance report: {report.period.title}", ""]
    lines += [f"- **{label}:** {value}" for _, label, value in context_lines(report)]
    lines.append("")
    lines += [f"> {note}" for note in report.notes]
    if report.notes:
        lines.append("")
    lines += [
        "Code 8.1 and 9.7 (annual and regular complaint reports) and the Tenant Satisfaction "
        "Measures CH01 and CH02. The cases behind every figure are in the CSV format "
        "(`--format csv`) and one click away in the staff web app.",
        "",
    ]
    for section in report.sections:
        lines += _md_section(section)
    for table in report.tables:
        lines += _md_table(table)
    return "\n".join(lines)
