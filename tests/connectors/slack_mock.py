"""A local mock of the Slack Web API, as slack-bolt's own tests use: records calls, answers like Slack."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # a real-looking secret, used to sign
BOT_TOKEN = "xoxb-111111111111-222222222222-abcdefABCDEF0123456789ab"
APP_TOKEN = "xapp-1-A0APP-333333333333-0123456789abcdef0123456789abcdef"
BOT_USER = "U0INTAKEBOT"
BOT_ID = "B0INTAKEBOT"
TEAM = {"id": "T0TEAM", "domain": "landlord"}


@dataclass
class Call:
    """One request the app made to the mock Web API."""

    method: str
    args: dict[str, Any]
    token: str


@dataclass
class MockSlack:
    """Records every Web API call and answers like Slack; can be told to fail a method."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[str]] = field(default_factory=dict)
    socket_url: str = ""
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def start(self) -> MockSlack:
        mock = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                return

            def do_GET(self) -> None:
                self._answer(dict(parse_qsl(urlparse(self.path).query)))

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    args = json.loads(raw or "{}")
                else:
                    args = dict(parse_qsl(raw))
                self._answer(args)

            def _answer(self, args: dict[str, Any]) -> None:
                path = urlparse(self.path).path
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                method = path.rsplit("/", 1)[-1] if path.startswith("/api/") else "/response"
                body = mock.answer(method, args, token)
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    @property
    def response_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/response"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """The next `times` calls of `method` answer {"ok": false, "error": error}."""
        self.failures.setdefault(method, []).extend([error] * times)

    def answer(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        with self._changed:
            self.calls.append(Call(method, args, token))
            self._changed.notify_all()
            pending = self.failures.get(method)
            error = pending.pop(0) if pending else None
        if method == "/response":
            return {"ok": True}
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != expected:
            return {"ok": False, "error": "invalid_auth"}
        if error:
            return {"ok": False, "error": error}
        ts = f"{1763287200 + next(self._ts)}.000100"
        channel = str(args.get("channel") or "")
        if channel.startswith("U"):
            channel = "D" + channel[1:]  # posting to a user id writes in their DM with the app
        answers: dict[str, dict[str, Any]] = {
            "auth.test": {
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "team_id": TEAM["id"],
                "team": "Landlord",
                "url": "https://landlord.slack.com/",
            },
            "chat.postMessage": {"channel": channel, "ts": ts},
            "chat.update": {"channel": channel, "ts": args.get("ts")},
            "chat.postEphemeral": {"message_ts": ts},
            "views.open": {"view": {"id": "V0OPENED"}},
            "views.publish": {"view": {"id": "V0HOME"}},
            "apps.connections.open": {"url": self.socket_url},
        }
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        return {"ok": True, **answers.get(method, {})}

    def of(self, method: str) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """The calls of `method` once there are `count` of them; fails after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} {method} call(s), saw {len(found)}")
                self._changed.wait(left)


def sign(
    body: str, *, timestamp: int | None = None, secret: str = SIGNING_SECRET
) -> dict[str, str]:
    """Slack's request signature headers for a body (v0, HMAC-SHA256)."""
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}
