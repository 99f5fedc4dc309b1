"""`intake serve` service: the daily digest to a Slack channel, on working days at a set time."""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from connectors.slack.client import failure_reason, make_web_client
from connectors.slack.digest import digest
from intake.context import AppContext
from store.db import session_scope
from store.models import SlackDigestRun

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CHECK_SECONDS = 60.0


def due(ctx: AppContext, now: datetime) -> bool:
    """True on a working day once the configured local time has passed."""
    local = now.astimezone(ctx.calendar.zone)
    return (
        ctx.calendar.is_working_day(local.date()) and local.time() >= ctx.settings.slack_digest_time
    )


def send_digest(ctx: AppContext, client: WebClient) -> bool:
    """Post today's digest if it is due and not yet posted; True when it was posted now."""
    channel = ctx.settings.slack_digest_channel
    now = ctx.clock()
    if not channel or not due(ctx, now):
        return False
    today = ctx.calendar.local_date(now)
    run_id = _claim(ctx, today, now)
    if run_id is None:
        return False
    with Session(ctx.engine) as session:
        earlier = session.exec(
            select(SlackDigestRun)
            .where(col(SlackDigestRun.posted_at).is_not(None), SlackDigestRun.day < today)
            .order_by(col(SlackDigestRun.day).desc())
        ).first()
        since = earlier.started_at if earlier else now - timedelta(days=1)
        text, blocks = digest(session, ctx, today, since)
    try:
        client.chat_postMessage(channel=channel, text=text, blocks=blocks, unfurl_links=False)
    except (SlackApiError, OSError) as exc:
        _record(ctx, run_id, error=failure_reason(exc))
        log.warning("could not post the Slack digest: %s", failure_reason(exc))
        return False
    _record(ctx, run_id, posted_at=ctx.clock())
    return True


def _claim(ctx: AppContext, today: date, now: datetime) -> int | None:
    """Today's run, if no one has posted it and it has attempts left (one post a day)."""
    try:
        with session_scope(ctx.engine) as session:
            run = session.exec(select(SlackDigestRun).where(SlackDigestRun.day == today)).first()
            if run is None:
                run = SlackDigestRun(day=today, started_at=now)
            elif run.posted_at is not None or run.attempts >= MAX_ATTEMPTS:
                return None
            run.attempts += 1
            session.add(run)
            session.flush()
            return run.id
    except IntegrityError:  # another process claimed today's digest at the same moment
        return None


def _record(
    ctx: AppContext, run_id: int, *, posted_at: datetime | None = None, error: str = ""
) -> None:
    with session_scope(ctx.engine) as session:
        run = session.get(SlackDigestRun, run_id)
        if run is not None:
            run.posted_at = posted_at
            run.last_error = error[:1000]
            session.add(run)


class DigestService:
    """Checks once a minute whether today's digest is due."""

    def __init__(self, ctx: AppContext, client: WebClient):
        self.ctx = ctx
        self.client = client
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="slack-digest", daemon=True)

    def start(self) -> DigestService:
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                send_digest(self.ctx, self.client)
            except Exception:
                log.exception("the Slack digest failed; trying again in a minute")
            self.stopping.wait(CHECK_SECONDS)

    def describe(self) -> str:
        settings = self.ctx.settings
        return (
            f"slack: daily digest to {settings.slack_digest_channel} at "
            f"{settings.slack_digest_time:%H:%M} on working days"
        )

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)


def start(ctx: AppContext) -> DigestService | None:
    """Start the digest when Slack and a digest channel are configured."""
    if not ctx.settings.slack_enabled or not ctx.settings.slack_digest_channel:
        return None
    return DigestService(ctx, make_web_client(ctx.settings)).start()
