"""Nothing acknowledged is lost: the listener is SIGKILLed at random moments mid-load."""

from __future__ import annotations

import queue
import random
import smtplib
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlmodel import Session, select

from store.models import Inbound
from tests.mail.servers import email_bytes, free_port

RCPT = "complaints@landlord.example"
ROOT = Path(__file__).resolve().parents[2]


class Server:
    """The listener in a child process that can be killed without warning and restarted."""

    def __init__(self, database_url: str, port: int):
        self.database_url, self.port = database_url, port
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.mail.smtp_process", self.database_url, str(self.port)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: no clean-up, no flush, nothing
        self.process.wait(10)
        assert self.process.stdout is not None
        self.process.stdout.close()


def test_every_message_that_got_250_survives_sigkill(engine, database_url) -> None:
    server = Server(database_url, free_port())
    server.start()
    messages = [
        email_bytes(message_id=f"<kill{i}@example.org>", body=f"Message number {i}. " * 20)
        for i in range(400)
    ]
    todo: queue.Queue[int] = queue.Queue()
    for index in range(len(messages)):
        todo.put(index)
    acknowledged: dict[int, bytes] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + 240

    def client() -> None:
        while time.monotonic() < deadline:
            try:
                index = todo.get_nowait()
            except queue.Empty:
                return
            try:
                with smtplib.SMTP("127.0.0.1", server.port, timeout=10) as smtp:
                    smtp.ehlo()
                    smtp.mail("jane@example.org")
                    smtp.rcpt(RCPT)
                    code, _ = smtp.data(messages[index])
            except (OSError, smtplib.SMTPException):
                code = 0
            if code == 250:
                with lock:
                    acknowledged[index] = messages[index]
                time.sleep(0.01)  # pace the load so that several kills land mid-stream
            else:  # no 250: the sender keeps it and tries again, as a real MTA would
                todo.put(index)
                time.sleep(0.05)

    clients = [threading.Thread(target=client) for _ in range(6)]
    for thread in clients:
        thread.start()
    kills = 0
    rng = random.Random(4)
    while any(t.is_alive() for t in clients) and kills < 8:
        time.sleep(rng.uniform(0.05, 0.3))
        server.kill()
        kills += 1
        time.sleep(rng.uniform(0.0, 0.2))
        server.start()
    for thread in clients:
        thread.join(240)
    server.kill()

    assert kills >= 3
    assert len(acknowledged) == len(messages)  # every message was eventually accepted
    with Session(engine) as session:
        stored = {row.raw for row in session.exec(select(Inbound)).all()}
    missing = [i for i, raw in acknowledged.items() if raw not in stored]
    assert missing == []  # byte for byte, every 250 is in the store
