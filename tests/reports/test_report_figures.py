"""Every figure of the report, in every format, against values worked out by hand."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from bs4 import BeautifulSoup

from intake.reports.period import parse_period
from intake.reports.render import render
from store.models import format_reference
from tests.reports.expected import DISPLAY, SECTIONS, TABLES
from tests.reports.store import Known

PERIOD = parse_period("2026-11-01", "2027-01-31")


def refs(known: Known, names: set[str]) -> list[str]:
    return sorted(format_reference(getattr(known, name)) for name in names)


def number(key: str, count: int) -> str:
    return DISPLAY.get(key, str(count))


def cell(key: str, count: int, of: int | None, share: str | None = None) -> str:
    """How a table cell prints: a count, a dash for nothing to measure, or a share."""
    if key in DISPLAY:
        return DISPLAY[key]
    if of is None:
        return str(count)
    if of == 0:
        return "—"
    return f"{share or f'{count / of * 100:.1f}%'} ({count} of {of})"


@pytest.fixture
def outputs(ctx, known: Known) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {fmt: render(ctx, PERIOD, fmt) for fmt in ("md", "html", "csv", "json")}


def json_figures(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    sections = {f["key"]: f for s in data["sections"] for f in s["figures"]}
    tables = {c["key"]: c for t in data["tables"] for row in t["rows"] for c in row["cells"]}
    return sections, tables


def test_json_has_every_figure_as_worked_out_by_hand(outputs, known) -> None:
    data = json.loads(outputs["json"])
    assert data["from"] == "2026-11-01" and data["to"] == "2027-01-31"
    assert data["produced_at"] == "2027-02-01T10:00:00+00:00"
    assert data["nation"] == "england" and data["homes_count"] == 2000
    assert data["code_limits_working_days"]["stage1_response_days"] == 10
    assert data["policy_working_days"]["acknowledge_days"] == 5
    assert data["empty"] is False
    assert data["tsm"] == {
        "CH01": {"stage1": 3.0, "stage2": 0.5},
        "CH02": {"stage1": pytest.approx(2 / 3), "stage2": 1.0},
    }
    sections, tables = json_figures(data)
    assert set(sections) == set(SECTIONS), "a figure was added or lost: work it out by hand"
    for key, (count, of, share, names) in SECTIONS.items():
        figure = sections[key]
        assert (figure["count"], figure["of"]) == (count, of), key
        assert sorted(figure["cases"]) == refs(known, names), key
        if share is not None:
            assert f"{figure['share'] * 100:.1f}%" == share, key
    assert sections["tsm.ch01.stage1"]["per_1000_homes"] == 3.0
    assert sections["tsm.ch01.stage2"]["per_1000_homes"] == 0.5
    assert sections["compensation.total"]["amount_pence"] == 20000
    assert set(tables) == set(TABLES)
    for key, (count, of, names) in TABLES.items():
        assert (tables[key]["count"], tables[key]["of"]) == (count, of), key
        assert sorted(tables[key]["cases"]) == refs(known, names), key
    quarters = next(t for t in data["tables"] if t["key"] == "quarters")
    assert quarters["columns"] == ["Q1 2026/27", "Q2 2026/27", "Q3 2026/27", "Q4 2026/27"]
    assert quarters["comparison_columns"] == [0, 1]


def test_csv_has_every_figure_and_the_cases_behind_it(outputs, known) -> None:
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(outputs["csv"]))}
    assert rows["report.period"]["value"] == "1 November 2026 to 31 January 2027"
    assert rows["report.produced"]["value"] == "1 February 2027 at 10:00 GMT"
    assert rows["report.homes"]["value"] == "2,000"
    for key, (count, of, share, names) in SECTIONS.items():
        row = rows[key]
        assert row["count"] == str(count), key
        assert row["out_of"] == ("" if of is None else str(of)), key
        assert row["percent"] == ("" if share is None else share.rstrip("%")), key
        assert sorted(row["cases"].split()) == refs(known, names), key
        assert row["value"] == cell(key, count, of, share), key
    assert rows["tsm.ch01.stage1"]["per_1000_homes"] == "3.00"
    assert rows["compensation.total"]["amount_gbp"] == "200.00"
    for key, (count, of, names) in TABLES.items():
        assert (rows[key]["count"], rows[key]["out_of"]) == (
            str(count),
            "" if of is None else str(of),
        )
        assert sorted(rows[key]["cases"].split()) == refs(known, names), key


def test_markdown_prints_every_figure(outputs) -> None:
    text = outputs["md"]
    labels, _ = json_figures(json.loads(outputs["json"]))
    assert "**Period:** 1 November 2026 to 31 January 2027" in text
    assert "**Produced:** 1 February 2027 at 10:00 GMT" in text
    assert "bank holidays of England" in text
    lines = set(text.splitlines())
    for key, (count, of, share, _) in SECTIONS.items():
        line = (
            f"| {labels[key]['label']} | {number(key, count)} | "
            f"{'' if of is None else of} | {share or ''} |"
        )
        assert line in lines, line
    data = json.loads(outputs["json"])
    for table in data["tables"]:
        for row in table["rows"]:
            expected = [cell(c["key"], *TABLES[c["key"]][:2]) for c in row["cells"]]
            assert f"| {row['label']} | " + " | ".join(expected) + " |" in lines, row["label"]


def test_html_prints_every_figure_and_links_it_to_its_cases(outputs) -> None:
    soup = BeautifulSoup(outputs["html"], "html.parser")
    assert "1 February 2027 at 10:00 GMT" in soup.get_text()
    for key, (count, of, share, _) in SECTIONS.items():
        row = soup.select_one(f'tr[data-key="{key}"]')
        assert row is not None, key
        assert row.select_one('[data-cell="number"]').get_text(strip=True) == number(key, count)
        assert row.select_one('[data-cell="of"]').get_text(strip=True) == (
            "" if of is None else str(of)
        )
        assert row.select_one('[data-cell="share"]').get_text(strip=True) == (share or "")
        link = row.select_one('[data-cell="number"] a')
        if count:
            assert link is not None, key
            assert link["href"].startswith("http://intake.test/reports/cases?from=2026-11-01")
            assert link["href"].endswith(f"&figure={key}")
        else:
            assert link is None, key
    for key, (count, of, _) in TABLES.items():
        td = soup.select_one(f'td[data-key="{key}"]')
        assert td is not None and td.get_text(strip=True) == cell(key, count, of), key


def test_html_draws_the_three_charts_with_their_data_described(outputs) -> None:
    soup = BeautifulSoup(outputs["html"], "html.parser")
    charts = {svg["aria-label"].split(":")[0]: svg["aria-label"] for svg in soup.select("svg")}
    assert set(charts) == {
        "Bar chart of complaints received each month",
        "Line chart of the share on time each quarter",
        "Bar chart of complaint categories",
    }
    volumes = charts["Bar chart of complaints received each month"]
    assert "Nov 2026: stage 1 3, stage 2 0; Dec 2026: stage 1 1, stage 2 1" in volumes
    on_time = charts["Line chart of the share on time each quarter"]
    assert "Acknowledged within 5 working days: Q1 2026/27 no data, Q2 2026/27 100%, " in on_time
    assert "Q3 2026/27 80%" in on_time
    assert "Repairs: stage 1 4, stage 2 0" in charts["Bar chart of complaint categories"]
    # Text stays text in the SVG, so the charts print sharply and can be searched.
    assert "Complaints received by month, by stage" in outputs["html"]


def test_report_says_when_homes_are_not_configured(ctx, known) -> None:  # type: ignore[no-untyped-def]
    ctx.settings.homes_count = 0
    data = json.loads(render(ctx, PERIOD, "json"))
    assert data["tsm"]["CH01"] == {"stage1": None, "stage2": None}
    assert any("INTAKE_HOMES_COUNT" in note for note in data["notes"])
    text = render(ctx, PERIOD, "md")
    assert "| CH01 part 1: stage 1 complaints received per 1,000 homes | 6 |  |  |" in text
    assert "set INTAKE_HOMES_COUNT" in text
