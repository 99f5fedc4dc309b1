"""Chat reply latency per turn: one conversation alone, then many at once, on loopback.

    .venv/bin/python bench/bench_chat.py                 # bundled model, 50 conversations
    .venv/bin/python bench/bench_chat.py --fake          # the test fake: plumbing only
    .venv/bin/python bench/bench_chat.py --conversations 20

The server (HTTP, websocket, one pipeline worker, the model) runs in its own process on
127.0.0.1, as `intake serve` would, with a fresh SQLite database. Each client turn is timed
from sending it to receiving the chat's reply (after the turn is stored, classified and the
reply stored). Figures are printed for a single conversation first (the baseline) and then
for N concurrent ones, with their ratio, so runs on different machines compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parents[1]

SCRIPTS = [
    [
        ("I reported my boiler as broken twice and nobody came. I am unhappy with you.", None),
        ("Yes, I want to make a complaint", "yes_complain"),
        ("Yes, that's right", "definition_right"),
        ("Fix the boiler and apologise", None),
        ("My own home", "own_home"),
        ("Jane Smith", None),
        ("12 High Street, Anytown", None),
        ("jane@example.org", None),
        ("No, thank you", "no_adjustments"),
    ],
    [
        ("My kitchen tap is broken, please can someone come and repair it?", None),
        ("My own home", "own_home"),
        ("Sam Patel", None),
        ("TEN-88812", None),
        ("07700 900123", None),
        ("Large print letters please", None),
        ("Thanks", None),
    ],
    [
        ("I can smell gas in my kitchen", None),
        ("My own home", "own_home"),
        ("Ann Lee", None),
        ("4 Mill Lane", None),
        ("ann@example.org", None),
        ("No, thank you", "no_adjustments"),
    ],
]


def serve(port: int, data_dir: Path, fake: bool) -> None:
    """The server process: the app, one worker, the model loaded before the first chat."""
    sys.path.insert(0, str(ROOT))
    import uvicorn

    from intake.app import create_app
    from intake.context import AppContext
    from intake.settings import Settings
    from intake.worker import Worker
    from store.db import migrate

    settings = Settings(
        data_dir=data_dir,
        http_port=port,
        chat_rate_limit="10000/minute",
        chat_address_rate_limit="100000/minute",
        chat_max_connections_per_address=10_000,
    )
    factory = None
    if fake:
        from tests.fakes import FakeClassifier

        factory = FakeClassifier
    ctx = AppContext.build(settings, classifier_factory=factory)
    migrate(ctx.engine)
    _ = ctx.classifier
    worker = Worker(ctx)
    worker.start()
    ctx.notify_workers = worker.notify
    config = uvicorn.Config(
        create_app(ctx), host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
    )
    try:
        uvicorn.Server(config).run()
    finally:
        worker.stop()


async def conversation(url: str, origin: str, script: list[tuple[str, str | None]]) -> list[float]:
    """One resident's chat; the seconds each turn took to be answered."""
    timings = []
    async with websockets.connect(url, origin=origin) as ws:  # type: ignore[arg-type]
        await ws.send(json.dumps({"type": "hello"}))
        welcome = json.loads(await ws.recv())
        assert welcome["type"] == "welcome", welcome
        for text, choice in script:
            turn = uuid.uuid4().hex
            frame = {"type": "say", "id": turn, "text": text}
            if choice:
                frame["choice"] = choice
            started = time.perf_counter()
            await ws.send(json.dumps(frame))
            while True:
                reply = json.loads(await asyncio.wait_for(ws.recv(), 120))
                if reply["type"] == "replies" and reply["reply_to"] == turn:
                    break
                assert reply["type"] == "receipt", reply
            timings.append(time.perf_counter() - started)
    return timings


async def run(url: str, origin: str, count: int) -> list[float]:
    scripts = [SCRIPTS[i % len(SCRIPTS)] for i in range(count)]
    results = await asyncio.gather(*(conversation(url, origin, s) for s in scripts))
    return [t for timings in results for t in timings]


def figures(timings: list[float]) -> tuple[float, float]:
    """Median and 95th percentile, in milliseconds."""
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--fake", action="store_true", help="use the test fake, not the model")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.data_dir, args.fake)
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, __file__, "--serve", str(port), "--data-dir", tmp]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
        server = subprocess.Popen([*command, *(["--fake"] if args.fake else [])], env=env)
        try:
            origin = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(origin + "/healthz", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the chat server did not start")
                time.sleep(0.2)
            url = f"ws://127.0.0.1:{port}/chat/ws"
            asyncio.run(run(url, origin, 3))  # warm up: first-call costs out of the figures
            alone = asyncio.run(run(url, origin, 1)) + asyncio.run(run(url, origin, 1))
            started = time.perf_counter()
            loaded = asyncio.run(run(url, origin, args.conversations))
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(30)
    model = "test fake" if args.fake else "bundled model"
    base_median, base_p95 = figures(alone)
    median, p95 = figures(loaded)
    print(f"Chat reply latency per turn ({model}, SQLite, one pipeline worker, loopback)")
    print(f"{'':28}{'turns':>7}{'median ms':>11}{'p95 ms':>9}")
    print(f"{'1 conversation (baseline)':28}{len(alone):>7}{base_median:>11.0f}{base_p95:>9.0f}")
    label = f"{args.conversations} concurrent"
    print(f"{label:28}{len(loaded):>7}{median:>11.0f}{p95:>9.0f}")
    print(f"ratio to baseline: median x{median / base_median:.1f}, p95 x{p95 / base_p95:.1f}")
    print(f"throughput under load: {len(loaded) / elapsed:.1f} turns/s")


if __name__ == "__main__":
    main()
