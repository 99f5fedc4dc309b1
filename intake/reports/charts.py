"""Charts drawn on the server as SVG with matplotlib: readable on screen and in print."""

from __future__ import annotations

import io
import re
import threading
from html import escape
from typing import Any, cast

from intake.reports.model import Chart, Figure, Section, Table

# Colours that stay apart in greyscale print, backed by hatching and markers.
INK = ("#1f4e79", "#c55a11", "#595959")
HATCH = ("", "///", "..")
MARKERS = ("o", "s", "^")
STYLE = {
    "svg.fonttype": "none",  # text stays text: searchable, crisp when printed
    "svg.hashsalt": "intake-report",  # the same data gives the same SVG
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
}
# rc_context changes matplotlib's global settings, so draw one chart at a time.
_LOCK = threading.Lock()
MAX_LABEL = 40


def _svg(fig: Any, description: str) -> Chart:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # Scale with the page, and tell screen readers what the picture shows.
    text = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r"<svg\1", text, count=1)
    svg = text.replace(
        "<svg", f'<svg role="img" aria-label="{escape(description)}" class="chart"', 1
    )
    return Chart(svg, description)


def _draw(description: str, paint: Any, size: tuple[float, float] = (7.0, 2.8)) -> Chart:
    import matplotlib
    from matplotlib.figure import Figure as Canvas

    with _LOCK, matplotlib.rc_context(cast(Any, STYLE)):
        fig = Canvas(figsize=size)
        paint(fig.add_subplot())
        return _svg(fig, description)


def _legend(ax: Any) -> None:
    # Below the plot, so it never hides a bar or a point, and prints at full width.
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2)


def volumes(table: Table, unit: str = "month") -> Chart | None:
    """Grouped bars: stage 1 complaints and stage 2 requests received in each month (or quarter)."""
    rows = dict(table.rows)
    stage1 = [f.count for f in rows.get("Stage 1 complaints received", [])]
    stage2 = [f.count for f in rows.get("Stage 2 requests received", [])]
    if not any(stage1) and not any(stage2):
        return None

    def paint(ax: Any) -> None:
        positions = range(len(table.columns))
        width = 0.4
        for i, (name, values) in enumerate((("Stage 1", stage1), ("Stage 2", stage2))):
            ax.bar(
                [p + (i - 0.5) * width for p in positions],
                values,
                width,
                label=name,
                color=INK[i],
                hatch=HATCH[i],
                edgecolor="white" if not HATCH[i] else "black",
                linewidth=0.4,
            )
        ax.set_xticks(list(positions), table.columns, rotation=45 if len(positions) > 6 else 0)
        ax.set_ylabel("Complaints received")
        ax.yaxis.get_major_locator().set_params(integer=True)
        _legend(ax)
        ax.set_title(f"Complaints received by {unit}, by stage")

    return _draw(
        f"Bar chart of complaints received each {unit}: "
        + "; ".join(
            f"{c}: stage 1 {a}, stage 2 {b}"
            for c, a, b in zip(table.columns, stage1, stage2, strict=True)
        ),
        paint,
    )


def on_time(table: Table) -> Chart | None:
    """Lines per quarter: share acknowledged and answered on time, against the 100% line."""
    wanted = (
        ("acknowledged", "Acknowledged within 5 working days"),
        ("stage1_ch02", "Stage 1 answered on time (CH02)"),
        ("stage2_ch02", "Stage 2 answered on time (CH02)"),
    )
    series: list[tuple[str, list[float | None]]] = []
    for name, label in wanted:
        cells = next(
            (cells for _, cells in table.rows if cells and cells[0].key.endswith("." + name)), []
        )
        series.append((label, [_percent(f) for f in cells]))
    if all(v is None for _, values in series for v in values):
        return None

    def paint(ax: Any) -> None:
        positions = list(range(len(table.columns)))
        ax.axhline(100, color="black", linewidth=1, linestyle="--", label="100%")
        for i, (label, values) in enumerate(series):
            points = [(p, v) for p, v in zip(positions, values, strict=True) if v is not None]
            if points:
                xs, ys = zip(*points, strict=True)
                ax.plot(xs, ys, marker=MARKERS[i], color=INK[i], label=label, linewidth=1.5)
        for index in table.context_columns:
            ax.axvspan(index - 0.5, index + 0.5, color="#eeeeee", zorder=0)
        if table.context_columns:
            ax.text(
                min(table.context_columns),
                50,
                "before the period",
                ha="center",
                color="#595959",
                rotation=90,
                fontsize=8,
            )
        ax.set_xticks(positions, table.columns)
        ax.set_ylim(0, 105)
        ax.set_ylabel("Per cent on time")
        _legend(ax)
        ax.set_title("On time, quarter by quarter, against the 100% line")

    return _draw(
        "Line chart of the share on time each quarter: "
        + "; ".join(
            f"{label}: "
            + ", ".join(
                f"{c} {'no data' if v is None else f'{v:.0f}%'}"
                for c, v in zip(table.columns, values, strict=True)
            )
            for label, values in series
        ),
        paint,
    )


def _percent(figure: Figure) -> float | None:
    share = figure.share
    return None if share is None else share * 100


def categories(section: Section, top: int = 10) -> Chart | None:
    """Horizontal bars: the categories behind most complaints, stage 1 and stage 2 stacked."""
    counts: dict[str, list[int]] = {}
    for figure in section.figures:
        stage = 0 if figure.key.startswith("category.stage1.") else 1
        name = figure.label.split(": ", 1)[1]
        counts.setdefault(name, [0, 0])[stage] += figure.count
    ranked = sorted(counts.items(), key=lambda kv: (-sum(kv[1]), kv[0]))[:top]
    if not ranked:
        return None
    ranked.reverse()  # matplotlib draws the first bar at the bottom

    def paint(ax: Any) -> None:
        names = [_short(name) for name, _ in ranked]
        first = [v[0] for _, v in ranked]
        second = [v[1] for _, v in ranked]
        ax.barh(names, first, color=INK[0], label="Stage 1")
        ax.barh(
            names,
            second,
            left=first,
            color=INK[1],
            hatch=HATCH[1],
            edgecolor="black",
            linewidth=0.4,
            label="Stage 2",
        )
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("Complaints received")
        _legend(ax)
        ax.set_title("What complaints were about")

    return _draw(
        "Bar chart of complaint categories: "
        + "; ".join(f"{name}: stage 1 {v[0]}, stage 2 {v[1]}" for name, v in reversed(ranked)),
        paint,
        size=(7.0, 0.5 + 0.28 * len(ranked) + 0.6),
    )


def _short(name: str) -> str:
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"
