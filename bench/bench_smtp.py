"""SMTP intake throughput and final-dot-to-250 latency, against aiosmtpd that stores nothing.

Run:  .venv/bin/python bench/bench_smtp.py [--messages 4000] [--sessions 20] [--rounds 3]
          [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Both servers run in this process on loopback; the clients run in a child process (20
persistent SMTP sessions, one thread each), so both servers face identical load. Prints
messages per second for each, their ratio (target >= 0.5), and latency percentiles.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RCPT = "complaints@landlord.example"


def message(index: int) -> bytes:
    body = (
        f"Dear Sir or Madam,\r\n\r\nThis is message {index}. I reported the leak in my "
        "bathroom ceiling twice and nobody came. I am very unhappy.\r\n" * 6
    )
    return (
        f"From: Resident {index} <resident{index}@example.org>\r\nTo: {RCPT}\r\n"
        f"Subject: Leak {index}\r\nMessage-ID: <bench{index}@example.org>\r\n"
        "Date: Mon, 16 Nov 2026 10:00:00 +0000\r\n\r\n" + body
    ).encode()


def client_main(port: int, sessions: int, per_session: int) -> None:
    """Child process: send, timing each final dot to its reply; print JSON."""
    import smtplib

    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def run(session_index: int) -> None:
        mine: list[float] = []
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
            smtp.ehlo()
            for n in range(per_session):
                smtp.mail(f"resident{n}@example.org")
                smtp.rcpt(RCPT)
                code, _ = smtp.docmd("DATA")
                assert code == 354
                smtp.send(message(session_index * per_session + n) + b".\r\n")
                start = time.perf_counter()
                code, _ = smtp.getreply()
                mine.append(time.perf_counter() - start)
                if code != 250:
                    with lock:
                        failures[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(sessions)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    print(json.dumps({"elapsed": elapsed, "latencies": latencies, "failures": failures[0]}))


def drive(port: int, sessions: int, per_session: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--client", str(port), str(sessions), str(per_session)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


class NullHandler:
    """aiosmtpd with a handler that keeps nothing: the ceiling for any real handler."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def report(name: str, result: dict[str, Any], total: int) -> float:
    rate = total / result["elapsed"]
    lat = sorted(result["latencies"])
    p50 = statistics.median(lat) * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    print(
        f"{name:<28} {rate:8.0f} msg/s   final dot -> reply: p50 {p50:6.1f} ms, "
        f"p99 {p99:6.1f} ms   (non-250 replies: {result['failures']})"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    per_session = max(1, args.messages // args.sessions)
    total = per_session * args.sessions

    from aiosmtpd.controller import Controller
    from sqlmodel import Session, func, select

    from connectors.smtp import SmtpService
    from intake.context import AppContext
    from intake.settings import Settings
    from store.db import migrate
    from store.models import Inbound

    print(f"{total} messages of ~{len(message(0))} bytes over {args.sessions} sessions, "
          f"{args.rounds} alternating rounds (medians compared)\n")  # fmt: skip
    null_port = free_port()
    null = Controller(NullHandler(), hostname="127.0.0.1", port=null_port)
    null.start()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        settings = Settings(database_url=url, data_dir=Path(tmp), smtp_port=free_port(),
                            smtp_recipients=[RCPT])  # fmt: skip
        ctx = AppContext.build(settings)
        migrate(ctx.engine)
        with Session(ctx.engine) as session:
            before = session.exec(select(func.count()).select_from(Inbound)).one()
        service = SmtpService(ctx)
        name = "Intake, durably stored" + (" (PG)" if args.database_url else " (SQLite)")
        baselines, rates = [], []
        # Alternate the two so that other load on the machine hits both alike.
        for _ in range(args.rounds):
            nothing = drive(null_port, args.sessions, per_session)
            baselines.append(report("aiosmtpd, stores nothing", nothing, total))
            rates.append(report(name, drive(service.port, args.sessions, per_session), total))
        service.stop()
        null.stop()
        with Session(ctx.engine) as session:
            stored = session.exec(select(func.count()).select_from(Inbound)).one() - before
        ctx.engine.dispose()
    baseline, rate = statistics.median(baselines), statistics.median(rates)
    print(f"\nstored {stored} of {total * args.rounds}; medians {rate:.0f} vs {baseline:.0f} "
          f"msg/s: ratio Intake / null handler {rate / baseline:.2f} (target >= 0.5)")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        client_main(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
