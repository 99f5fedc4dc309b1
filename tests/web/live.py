"""A real HTTP server and worker on loopback for browser tests; both stop when the test ends."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from intake.app import create_app
from intake.context import AppContext
from intake.worker import Worker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(ctx: AppContext) -> Iterator[str]:
    """Serve the whole app (API, staff pages, chat ...) with one background worker."""
    worker = Worker(ctx, idle_seconds=0.05)
    worker.start()
    ctx.notify_workers = worker.notify
    port = free_port()
    ctx.settings.public_url = f"http://127.0.0.1:{port}"  # as `intake serve` derives it
    config = uvicorn.Config(
        create_app(ctx), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        worker.stop()
