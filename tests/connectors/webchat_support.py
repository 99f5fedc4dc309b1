"""Loopback fixtures for the web chat: a real HTTP server, a websocket resident, the bundled model."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import uvicorn
import websockets

from intake.app import create_app
from intake.context import AppContext


class ChatServer:
    """The whole app under uvicorn on 127.0.0.1 and a free port, in a thread; stops itself."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        config = uvicorn.Config(
            create_app(ctx), log_level="warning", ws="websockets-sansio", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/chat/ws"

    def __enter__(self) -> ChatServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the chat server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@contextlib.contextmanager
def chat_server(ctx: AppContext) -> Iterator[ChatServer]:
    """Run the app for the length of a with-block."""
    with ChatServer(ctx) as server:
        yield server


class Resident:
    """A resident's browser, reduced to the websocket protocol the widget speaks."""

    def __init__(self, ws: Any):
        self.ws = ws
        self.conversation = ""
        self.token = ""
        self.welcome: dict[str, Any] = {}

    @classmethod
    async def connect(cls, server: ChatServer, origin: str | None = None, **hello: str) -> Resident:
        ws = await websockets.connect(
            server.ws_url,
            origin=origin or server.url,
            max_size=2**22,  # type: ignore[arg-type]
        )
        resident = cls(ws)
        await resident.hello(**hello)
        return resident

    async def hello(self, **hello: str) -> dict[str, Any]:
        await self.ws.send(json.dumps({"type": "hello", **hello}))
        self.welcome = await self.receive()
        assert self.welcome["type"] == "welcome", self.welcome
        self.conversation = self.welcome["conversation"]
        self.token = self.welcome.get("token") or hello.get("token", "")
        return self.welcome

    async def receive(self, timeout: float = 10) -> dict[str, Any]:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        return frame

    async def send(self, text: str, choice: str | None = None, turn_id: str = "") -> str:
        turn_id = turn_id or uuid.uuid4().hex
        frame: dict[str, Any] = {"type": "say", "id": turn_id, "text": text}
        if choice:
            frame["choice"] = choice
        await self.ws.send(json.dumps(frame))
        return turn_id

    async def say(self, text: str, choice: str | None = None) -> list[dict[str, Any]]:
        """Send one turn; return the chat's lines in reply (after the receipt)."""
        turn_id = await self.send(text, choice)
        receipt = await self.receive()
        assert receipt == {"type": "receipt", "id": turn_id, "seq": receipt.get("seq")}, receipt
        replies = await self.receive()
        assert replies["type"] == "replies" and replies["reply_to"] == turn_id, replies
        lines: list[dict[str, Any]] = replies["lines"]
        return lines

    async def close(self) -> None:
        await self.ws.close()


def text_of(lines: list[dict[str, Any]]) -> str:
    """Everything the chat said in reply, as one string."""
    return "\n".join(line["text"] for line in lines)


def choices_of(lines: list[dict[str, Any]]) -> list[str]:
    """The quick replies offered with the last line."""
    return [c["value"] for c in lines[-1]["choices"]] if lines else []
