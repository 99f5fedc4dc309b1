"""The report as JSON: every figure with its definition context and the cases behind it."""

from __future__ import annotations

import json
from typing import Any

from intake.reports.model import Figure, Report


def figure_dict(figure: Figure) -> dict[str, Any]:
    """One figure as JSON, with the references of the cases behind it."""
    return {
        "key": figure.key,
        "label": figure.label,
        "count": figure.count,
        "of": figure.of,
        "share": None if figure.share is None else round(figure.share, 6),
        "per_1000_homes": None if figure.per_thousand is None else round(figure.per_thousand, 4),
        "amount_pence": figure.amount_pence,
        "display": figure.display(),
        "note": figure.note or None,
        "cases": figure.references,
    }


def to_dict(report: Report) -> dict[str, Any]:
    """The whole report as plain data."""
    tsm = {f.key: f for f in report.section("tsm").figures}  # type: ignore[union-attr]
    return {
        "report": "complaint_performance",
        **report.context(),
        "empty": report.empty,
        "notes": report.notes,
        "tsm": {
            "CH01": {f"stage{s}": tsm[f"tsm.ch01.stage{s}"].per_thousand for s in (1, 2)},
            "CH02": {f"stage{s}": tsm[f"tsm.ch02.stage{s}"].share for s in (1, 2)},
        },
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "provision": s.provision,
                "definition": s.definition,
                "figures": [figure_dict(f) for f in s.figures],
            }
            for s in report.sections
        ],
        "tables": [
            {
                "key": t.key,
                "title": t.title,
                "provision": t.provision,
                "definition": t.definition,
                "columns": t.columns,
                "comparison_columns": sorted(t.context_columns),
                "rows": [
                    {"label": label, "cells": [figure_dict(f) for f in cells]}
                    for label, cells in t.rows
                ],
            }
            for t in report.tables
        ],
    }


def render_json(report: Report) -> str:
    """The report as indented JSON."""
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False)
