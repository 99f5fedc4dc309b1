"""`intake serve` service: keeps each Slack triage card in step with its case."""

from __future__ import annotations

import logging
import threading

from slack_sdk import WebClient

from connectors.slack.card_sync import sync_cards
from connectors.slack.client import make_web_client
from intake.context import AppContext

log = logging.getLogger(__name__)


class CardSync:
    """A thread that posts due cards and updates changed ones every few seconds."""

    def __init__(self, ctx: AppContext, client: WebClient):
        self.ctx = ctx
        self.client = client
        self.interval = ctx.settings.slack_card_poll_seconds
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="slack-cards", daemon=True)

    def start(self) -> CardSync:
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                sync_cards(self.ctx, self.client)
            except Exception:
                # A database or network outage must not end the service: try again later.
                log.exception("could not bring the Slack cards up to date")
            self.stopping.wait(self.interval)

    def describe(self) -> str:
        return f"slack: triage cards kept up to date (every {self.interval:g}s)"

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)


def start(ctx: AppContext) -> CardSync | None:
    """Start the card sync when Slack is configured."""
    if not ctx.settings.slack_enabled:
        return None
    return CardSync(ctx, make_web_client(ctx.settings)).start()
