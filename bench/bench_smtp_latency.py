"""Time from the SMTP 250 to a triaged case, at a steady rate (default 10 messages a second).

Run:  .venv/bin/python bench/bench_smtp_latency.py [--rate 10] [--seconds 30] [--workers 1]

Runs the SMTP listener and the pipeline workers in this process as `intake serve` does,
with the bundled classifier model (the fake keyword classifier with --fake). A client sends
at the given rate; for each message the time from its 250 to the moment its triage was
committed is measured. Prints percentiles (target: 95th under 2 s).
"""

from __future__ import annotations

import argparse
import smtplib
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RCPT = "complaints@landlord.example"
TEXTS = [
    "I reported the leak in my bathroom ceiling twice and nobody came. I am very unhappy.",
    "My kitchen tap is dripping, could someone come and repair it please?",
    "There is black mould in my son's bedroom and he has asthma. Please help.",
    "Thank you for fixing the fence so quickly, the workmen were lovely.",
    "Your contractor left rubbish in my garden after the repair and ignored my calls.",
    "I can smell gas near the boiler cupboard.",
]


def message(index: int) -> bytes:
    return (
        f"From: Resident {index} <resident{index}@example.org>\r\nTo: {RCPT}\r\n"
        f"Subject: Message {index}\r\nMessage-ID: <lat{index}@example.org>\r\n\r\n"
        f"{TEXTS[index % len(TEXTS)]}\r\n\r\nRegards,\r\nResident {index}\r\n"
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--fake", action="store_true", help="use the keyword fake classifier")
    args = parser.parse_args()

    from sqlmodel import Session, col, select

    from connectors.smtp import SmtpService
    from intake.context import AppContext
    from intake.settings import Settings
    from intake.worker import Worker
    from store.db import migrate
    from store.models import Inbound, InboundStatus

    factory = None
    if args.fake:
        from tests.fakes import FakeClassifier

        fake = FakeClassifier()
        factory = lambda: fake  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/bench.db", data_dir=Path(tmp),
                            smtp_port=0, smtp_recipients=[RCPT])  # fmt: skip
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            settings.smtp_port = sock.getsockname()[1]
        ctx = AppContext.build(settings, classifier_factory=factory)
        migrate(ctx.engine)
        model = ctx.classifier.version  # load before timing, as `intake serve` preloads
        workers = [Worker(ctx, i, idle_seconds=0.2) for i in range(args.workers)]
        for worker in workers:
            worker.start()
        ctx.notify_workers = lambda: [w.notify() for w in workers]  # type: ignore[func-returns-value, misc]
        service = SmtpService(ctx)

        total = int(args.rate * args.seconds)
        accepted: dict[int, float] = {}
        start = time.monotonic()
        with smtplib.SMTP("127.0.0.1", service.port, timeout=30) as client:
            client.ehlo()
            for index in range(total):
                time.sleep(max(0.0, start + index / args.rate - time.monotonic()))
                client.mail(f"resident{index}@example.org")
                client.rcpt(RCPT)
                code, reply = client.data(message(index))
                assert code == 250, reply
                accepted[int(reply.split()[-1])] = time.time()
        deadline = time.monotonic() + 120
        waiting = {InboundStatus.QUEUED, InboundStatus.PROCESSING}
        while time.monotonic() < deadline:
            with Session(ctx.engine) as session:
                rows = session.exec(select(Inbound).order_by(col(Inbound.id))).all()
            if rows and not any(r.status in waiting for r in rows):
                break
            time.sleep(0.2)
        service.stop()
        for worker in workers:
            worker.stop()
        latencies = sorted(
            (r.processed_at or datetime.now(UTC)).timestamp() - accepted[r.id or 0]
            for r in rows
            if (r.id or 0) in accepted
        )
        ctx.engine.dispose()

    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"model: {model}; {args.workers} worker(s); {total} messages at {args.rate:g}/s")
    print(
        f"250 -> triaged case: p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, "
        f"max {latencies[-1]:.2f} s (target: p95 < 2 s)"
    )


if __name__ == "__main__":
    main()
