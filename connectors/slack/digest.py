"""The daily digest: what is due today, what is overdue, and new hazards since the last one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from connectors.slack.cards import HAZARD_WORDS, day, headline
from connectors.slack.facts import load_facts
from connectors.slack.text import escape
from intake.context import AppContext
from store.crud import QueueFilter, queue_query
from store.models import Case

PER_LIST = 15
Block = dict[str, Any]


def _lines(session: Session, ctx: AppContext, query: Any, today: date) -> tuple[int, list[str]]:
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    lines = []
    for case in session.exec(query.limit(PER_LIST)).all():
        facts = load_facts(session, ctx, case, today)
        line = f"• <{facts.link}|{escape(headline(facts))}>: {escape(facts.summary[:120])}"
        if facts.next_deadline is not None:
            line += f" ({facts.next_kind or 'due'} by {day(facts.next_deadline)})"
        if facts.hazards:
            line += " :warning: " + ", ".join(HAZARD_WORDS.get(h, h) for h in facts.hazards)
        lines.append(line)
    if total > PER_LIST:
        lines.append(f"…and {total - PER_LIST} more in <{ctx.settings.public_url}|Intake>")
    return total, lines


def digest(
    session: Session, ctx: AppContext, today: date, since: datetime
) -> tuple[str, list[Block]]:
    """The digest's summary line and blocks."""
    queue = queue_query(today=today, filters=QueueFilter())
    due_today = queue.where(Case.next_deadline == today)
    overdue = queue_query(today=today, filters=QueueFilter(overdue=True))
    hazards = queue.where(col(Case.has_hazards).is_(True), col(Case.received_at) >= since)
    sections = [
        ("Due today", *_lines(session, ctx, due_today, today)),
        ("Overdue", *_lines(session, ctx, overdue, today)),
        ("New hazards", *_lines(session, ctx, hazards, today)),
    ]
    counts = ", ".join(f"{n} {title.lower()}" for title, n, _ in sections)
    text = f"Intake digest for {day(today)}: {counts}"
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"Intake: {day(today)}"}}
    ]
    for title, total, lines in sections:
        body = "\n".join(lines) if lines else "_None._"
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{title} ({total})*\n{body}"[:3000]},
            }
        )
    return text, blocks
