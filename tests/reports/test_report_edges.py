"""Periods, empty periods and the command line: what a person sees when there is little to see."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from intake.cli import main
from intake.reports.period import (
    Period,
    PeriodError,
    financial_quarter,
    months_for,
    parse_period,
    presets,
    quarters_for,
)
from intake.reports.render import render

EMPTY = parse_period("2025-01-01", "2025-01-31")


def test_financial_quarters_and_years_run_april_to_march() -> None:
    assert financial_quarter(date(2027, 2, 1)) == Period(
        date(2027, 1, 1), date(2027, 3, 31), "Q4 2026/27 (January to March 2027)"
    )
    assert parse_period("2026-04-01", "2027-03-31").label == "2026/27"
    assert parse_period("2026-07-01", "2026-09-30").label.startswith("Q2 2026/27")
    assert parse_period("2026-11-01", "2027-01-31").label == ""
    starts = [q.start for q in quarters_for(parse_period("2026-11-01", "2027-01-31"))]
    assert starts == [date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1), date(2027, 1, 1)]
    months = months_for(Period(date(2026, 11, 15), date(2027, 1, 10)))
    assert [(m.start, m.end) for m in months] == [
        (date(2026, 11, 15), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 1, 10)),
    ]
    picks = presets(date(2027, 2, 1))
    assert picks[0].label.startswith("Q4 2026/27") and picks[-1].label == "2024/25"


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-13-01", "2027-01-31", "The from date '2026-13-01' is not a date"),
        ("2026-11-01", "31/01/2027", "The to date '31/01/2027' is not a date"),
        ("2027-02-01", "2027-01-31", "The period ends (31 January 2027) before it starts"),
    ],
)
def test_a_wrong_period_is_explained(start: str, end: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_period(start, end)


def test_an_empty_period_says_so_in_every_format(ctx) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(render(ctx, EMPTY, "json"))
    assert data["empty"] is True
    assert data["notes"][0].startswith("Nothing happened in this period")
    assert data["tsm"] == {
        "CH01": {"stage1": 0.0, "stage2": 0.0},
        "CH02": {"stage1": None, "stage2": None},
    }
    figures = {f["key"]: f for s in data["sections"] for f in s["figures"]}
    assert figures["ack.stage1.on_time"]["share"] is None
    assert figures["ack.stage1.on_time"]["display"] == "none to measure"
    assert figures["compensation.total"]["display"] == "£0.00"
    markdown = render(ctx, EMPTY, "md")
    assert "> Nothing happened in this period" in markdown
    assert "| Stage 1: acknowledged within 5 working days | 0 | 0 | — |" in markdown
    assert "No complaints were refused in this period." in markdown
    html = BeautifulSoup(render(ctx, EMPTY, "html"), "html.parser")
    assert "Nothing happened in this period" in html.select_one(".report-note").get_text()
    assert html.select("svg") == []  # nothing to chart, and no empty axes either
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(render(ctx, EMPTY, "csv")))}
    assert rows["tsm.ch02.stage1"]["percent"] == "" and rows["tsm.ch02.stage1"]["count"] == "0"


def test_cli_prints_the_report_in_each_format(ctx, known, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INTAKE_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("INTAKE_HOMES_COUNT", "2000")
    runner = CliRunner()
    result = runner.invoke(
        main, ["report", "--from", "2026-11-01", "--to", "2027-01-31", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["tsm"]["CH01"] == {"stage1": 3.0, "stage2": 0.5}
    result = runner.invoke(main, ["report", "--from", "2026-11-01", "--to", "2027-01-31"])
    assert result.exit_code == 0
    assert "| Stage 1 complaints received | 6 |  |  |" in result.output
    out = tmp_path / "report.html"
    result = runner.invoke(
        main,
        [
            "report",
            "--from",
            "2026-11-01",
            "--to",
            "2027-01-31",
            "--format",
            "html",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0
    assert out.read_text().startswith("<!doctype html>")


def test_cli_explains_a_wrong_period_without_a_traceback(ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INTAKE_DATABASE_URL", ctx.settings.database_url)
    result = CliRunner().invoke(main, ["report", "--from", "2027-02-01", "--to", "2027-01-31"])
    assert result.exit_code == 2
    assert "The period ends (31 January 2027) before it starts (1 February 2027)." in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(
        main, ["report", "--from", "2027-01-01", "--to", "2027-01-31", "--format", "pdf"]
    )
    assert result.exit_code == 2 and "'pdf' is not one of" in result.output


def test_cli_explains_a_database_it_cannot_reach(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = "postgresql+psycopg://intake:s3cret@127.0.0.1:1/nowhere"
    monkeypatch.setenv("INTAKE_DATABASE_URL", url)
    result = CliRunner().invoke(main, ["report", "--from", "2027-01-01", "--to", "2027-01-31"])
    assert result.exit_code == 1
    assert "Could not read the database at postgresql+psycopg://intake:***@127.0.0.1:1/nowhere" in (
        result.output
    )
    assert "s3cret" not in result.output and "Traceback" not in result.output
