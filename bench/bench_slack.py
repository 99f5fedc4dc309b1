"""Slack: how fast the app acknowledges, while workers are busy classifying, over real HTTP.

A real uvicorn server (the product's app with Slack on) on loopback, a local mock of the Slack
Web API, background workers and the card sync, as `intake serve` runs them. Figures:

- ack latency of signed DMs (store + ack), one at a time and in bursts sent at once, against
  GET /healthz in the same run (the server's floor) — Slack's limit is 3 seconds;
- the same while every worker is inside a slow classifier (each prediction takes --model-ms);
- from sending a DM to its card showing the proposal (classification + card update).

Run: .venv/bin/python bench/bench_slack.py [--messages 60] [--burst 20] [--model-ms 400]
     [--workers 1] [--postgres URL]
"""

# ruff: noqa: E501  (a report script: long print lines read better whole)
from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors import slack_cards  # noqa: E402
from intake.app import create_app  # noqa: E402
from intake.context import AppContext  # noqa: E402
from intake.settings import Settings  # noqa: E402
from intake.worker import Worker  # noqa: E402
from store.crud import count_inbound  # noqa: E402
from store.db import make_engine, migrate  # noqa: E402
from store.models import InboundStatus  # noqa: E402
from tests.connectors.slack_mock import BOT_TOKEN, SIGNING_SECRET, TEAM, MockSlack, sign  # noqa: E402
from tests.fakes import FakeClassifier  # noqa: E402


class SlowClassifier(FakeClassifier):
    """The test suite's keyword classifier, made as slow as a real model on a small machine."""

    def __init__(self, seconds: float):
        super().__init__()
        self.seconds = seconds

    def predict(self, texts, channels=None):  # type: ignore[no-untyped-def]
        time.sleep(self.seconds * len(texts))
        return super().predict(texts, channels)


def wait_until(condition, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the bench waited too long")
        time.sleep(0.01)


def _queue_empty(ctx: AppContext) -> bool:
    with Session(ctx.engine) as session:
        return (
            count_inbound(session=session, status=InboundStatus.QUEUED)
            + count_inbound(session=session, status=InboundStatus.PROCESSING)
            == 0
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def dm_body(n: int) -> str:
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": TEAM["id"],
            "event_id": f"EvBench{n:06d}",
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D0FRONT",
                "user": "U0FRONT",
                "text": f"Resident {n} says nobody came about the leak and they are unhappy.",
                "ts": f"{int(time.time())}.{n:06d}",
            },
        }
    )


def send(client: httpx.Client, n: int) -> float:
    body = dm_body(n)
    headers = {"Content-Type": "application/json", **sign(body)}
    began = time.perf_counter()
    response = client.post("/slack/events", content=body, headers=headers)
    elapsed = time.perf_counter() - began
    assert response.status_code == 200, response.text
    return elapsed


def summary(name: str, values: list[float], floor: float) -> None:
    p50, p95 = statistics.median(values), percentile(values, 0.95)
    print(
        f"  {name:<44} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  max {max(values) * 1000:7.1f} ms"
        f"  ({p50 / floor:5.1f}x /healthz)"
    )


@contextmanager
def database(postgres: str, tmp: str) -> Iterator[str]:
    """SQLite in a temporary folder, or a throwaway PostgreSQL database dropped afterwards."""
    if not postgres:
        yield f"sqlite:///{tmp}/intake.db"
        return
    admin = make_engine(postgres, isolation_level="AUTOCOMMIT")
    name = f"bench_slack_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=60)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--model-ms", type=float, default=400.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL instead of SQLite")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-slack-")
    with database(args.postgres, tmp) as url:
        run(args, url, tmp)


def run(args: argparse.Namespace, url: str, tmp: str) -> None:
    """Serve, send, measure, print."""
    mock = MockSlack().start()
    port = free_port()
    settings = Settings(
        database_url=url,
        data_dir=Path(tmp),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_api_url=mock.url,
        slack_card_poll_seconds=0.2,
        http_port=port,
    )
    engine = make_engine(url)
    migrate(engine)
    classifier = SlowClassifier(args.model_ms / 1000)
    ctx = AppContext.build(settings, engine=engine, classifier_factory=lambda: classifier)
    _ = ctx.classifier
    server = uvicorn.Server(
        uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning")
    )
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    while not server.started:
        time.sleep(0.05)
    print(
        f"Slack app on http://127.0.0.1:{port}/slack/events, {'PostgreSQL' if args.postgres else 'SQLite'}, "
        f"classifier {args.model_ms:.0f} ms per message, {args.workers} worker(s)"
    )

    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        for _ in range(20):  # warm up: imports, first auth.test, connections
            client.get("/healthz")
        send(client, 0)
        healthz = []
        for _ in range(args.messages):
            began = time.perf_counter()
            client.get("/healthz")
            healthz.append(time.perf_counter() - began)
        floor = statistics.median(healthz)
        print("Ack latency (time until Slack hears 200; its limit is 3000 ms):")
        summary("GET /healthz (baseline)", healthz, floor)
        idle = [send(client, 1 + n) for n in range(args.messages)]
        summary("DM event, one at a time, no workers", idle, floor)

        # Now the workers start on the backlog, each inside the slow classifier.
        ctx.notify_workers = lambda: None
        workers = [Worker(ctx, i, idle_seconds=0.05) for i in range(args.workers)]
        for worker in workers:
            worker.start()
        cards = slack_cards.start(ctx)
        assert cards is not None
        time.sleep(args.model_ms / 1000)  # let the first worker get into the classifier
        busy = [send(client, 10_000 + n) for n in range(args.messages)]
        summary("DM event, one at a time, workers classifying", busy, floor)
        with ThreadPoolExecutor(max_workers=args.burst) as pool:
            burst = list(pool.map(lambda n: send(client, 20_000 + n), range(args.burst)))
        summary(f"DM event, {args.burst} sent at once, workers busy", burst, floor)

        # From the ack to the card showing the proposal, for one message once the queue is empty.
        wait_until(lambda: _queue_empty(ctx), 600)
        began = time.perf_counter()
        send(client, 30_000)
        wait_until(
            lambda: any(
                "Resident 30000 " in c.args.get("text", "") and "?" in c.args["text"]
                for c in mock.of("chat.update")
            ),
            60,
        )
        card_seconds = time.perf_counter() - began
        print(
            f"From sending a DM to its card showing the proposal (idle queue, card poll every "
            f"{settings.slack_card_poll_seconds:g}s): {card_seconds * 1000:.0f} ms "
            f"({card_seconds / (args.model_ms / 1000):.1f}x one classification)"
        )
        print(
            f"Slowest ack of all {len(idle) + len(busy) + len(burst)}: {max(idle + busy + burst) * 1000:.0f} ms"
        )
        cards.stop()
        for worker in workers:
            worker.stop()
    server.should_exit = True
    serving.join(timeout=10)
    engine.dispose()
    mock.stop()


if __name__ == "__main__":
    main()
