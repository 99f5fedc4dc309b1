"""Run everything in one process: HTTP (API, staff UI, chat, Slack), SMTP, workers."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import uvicorn
from sqlalchemy.engine import make_url

from intake.app import _module_exists, create_app
from intake.context import AppContext
from intake.settings import Settings
from intake.worker import Worker
from store.db import migrate

log = logging.getLogger(__name__)

# Long-running services other packages provide: each module has `start(ctx) -> Service | None`.
SERVICES: tuple[str, ...] = (
    "connectors.smtp",
    "intake.mail.outbound",
    "connectors.slack_socket",
    "connectors.slack_cards",
    "connectors.slack_digest",
)


class Service(Protocol):
    """Something `intake serve` starts and stops."""

    def describe(self) -> str: ...

    def stop(self) -> None: ...


@dataclass
class Running:
    """What `intake serve` started, so it can stop it in reverse order."""

    workers: list[Worker]
    services: list[Service]

    def stop(self) -> None:
        for service in reversed(self.services):
            try:
                service.stop()
            except Exception:
                log.exception("stopping %s failed", service.describe())
        for worker in self.workers:
            worker.stop()


def start_background(ctx: AppContext, echo: Callable[[str], Any] = print) -> Running:
    """Migrate, start the workers and every available service, and preload the model."""
    migrate(ctx.engine)
    workers = [Worker(ctx, index) for index in range(ctx.settings.workers)]
    for worker in workers:
        worker.start()

    def notify() -> None:
        for worker in workers:
            worker.notify()

    ctx.notify_workers = notify
    services: list[Service] = []
    for name in SERVICES:
        if not _module_exists(name):
            continue
        service = importlib.import_module(name).start(ctx)
        if service is not None:
            services.append(service)
            echo(f"  {service.describe()}")
    # Loading the model takes seconds; /healthz says "starting" until it is in memory.
    threading.Thread(target=_preload, args=(ctx,), name="model-preload", daemon=True).start()
    return Running(workers=workers, services=services)


def _preload(ctx: AppContext) -> None:
    try:
        _ = ctx.classifier
        log.info("classifier loaded (%s)", ctx.classifier.version)
    except Exception:
        log.exception("the classifier could not be loaded; messages stay queued until it is")


def describe_database(url: str) -> str:
    """The database, without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite file {parsed.database}"
    return f"PostgreSQL {parsed.host}:{parsed.port or 5432}/{parsed.database}"


def serve(settings: Settings, echo: Callable[[str], Any] = print) -> None:
    """Start everything and block until interrupted (Ctrl+C or SIGTERM)."""
    ctx = AppContext.build(settings)
    echo("Intake is starting:")
    echo(f"  database: {describe_database(settings.database_url)}")
    running = start_background(ctx, echo)
    echo(f"  workers: {len(running.workers)}")
    base = f"http://{settings.http_host}:{settings.http_port}"
    echo(f"  staff web app: {base}/   (create an account with `intake user add`)")
    echo(f"  resident chat: {base}/chat   (widget: {base}/chat/widget.js)")
    echo(f"  JSON API: {base}/api/   (OpenAPI: {base}/openapi.json)")
    if settings.slack_enabled:
        echo(f"  Slack: {base}/slack/events")
    else:
        echo("  Slack: off (set INTAKE_SLACK_SIGNING_SECRET and INTAKE_SLACK_BOT_TOKEN)")
    app = create_app(ctx)
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_level="info",
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )
    try:
        uvicorn.Server(config).run()
    finally:
        running.stop()
        ctx.engine.dispose()
