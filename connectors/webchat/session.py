"""One resident's websocket: greet or resume, accept each turn durably, classify, reply."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import weakref
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from classifier.prediction import Prediction
from connectors.webchat import casefile, flow, records
from connectors.webchat.batcher import PredictBatcher
from connectors.webchat.guard import RateLimits, connection_key, origin_allowed
from connectors.webchat.wording import Wording
from intake.context import AppContext

log = logging.getLogger(__name__)
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013


class ChatService:
    """What every chat connection shares: settings, wording, limits, the model and locks."""

    def __init__(self, ctx: AppContext, wording: Wording):
        self.ctx = ctx
        self.wording = wording
        self.limits = RateLimits(ctx.settings)
        self.batcher = PredictBatcher(lambda texts, ch: ctx.classifier.predict(texts, ch))
        # One turn at a time per conversation, even if it is open in two tabs.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def lock(self, conversation_id: str) -> asyncio.Lock:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation_id] = lock
        return lock

    async def serve(self, ws: WebSocket) -> None:
        """The whole life of one connection."""
        address = ws.client.host if ws.client else "unknown"
        if not origin_allowed(ws.headers.get("origin"), ws.headers.get("host"), self.ctx.settings):
            await self._refuse(ws, "origin", POLICY_VIOLATION)
            return
        if not self.limits.open_connection(address):
            await self._refuse(ws, "too_many_chats", TRY_AGAIN_LATER)
            return
        try:
            await ws.accept()
            await Connection(self, ws, address).run()
        except WebSocketDisconnect:
            pass
        finally:
            self.limits.close_connection(address)

    async def _refuse(self, ws: WebSocket, code: str, close_code: int) -> None:
        # Accept only to say why in plain English (a refused handshake shows nothing);
        # nothing about any conversation is sent.
        await ws.accept()
        await ws.send_json({"type": "error", "code": code, "text": self.error(code)})
        await ws.close(close_code)

    def error(self, code: str) -> str:
        return self.wording.render(f"errors.{code}")


class Connection:
    """One socket's conversation."""

    def __init__(self, service: ChatService, ws: WebSocket, address: str):
        self.service = service
        self.ctx = service.ctx
        self.ws = ws
        self.address = address
        self.key = connection_key()
        self.conversation_id = ""

    async def run(self) -> None:
        limit = self.ctx.settings.chat_max_message_chars
        while True:
            raw = await self.ws.receive_text()
            # Refuse oversized frames before parsing them (4 bytes a character at most).
            if len(raw) > limit * 4 + 1024:
                await self._error("too_long")
                continue
            try:
                frame = json.loads(raw)
                kind = frame["type"]
            except (ValueError, KeyError, TypeError):
                await self._error("bad_message")
                continue
            if kind == "hello" and not self.conversation_id:
                await self._hello(frame)
            elif kind == "say" and self.conversation_id:
                await self._say(frame)
            else:
                await self._error("bad_message")

    async def _error(self, code: str, turn_id: str | None = None) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code, "text": self.service.error(code)}
        if turn_id:
            frame["id"] = turn_id
        await self.ws.send_json(frame)

    async def _hello(self, frame: dict[str, Any]) -> None:
        wanted = str(frame.get("conversation") or "")
        token = str(frame.get("token") or "")
        notice = ""
        if wanted:
            if await asyncio.to_thread(records.find_conversation, self.ctx, wanted, token):
                self.conversation_id = wanted
                await asyncio.to_thread(casefile.recover, self.ctx, wanted)
                lines = await asyncio.to_thread(records.transcript, self.ctx, wanted)
                await self.ws.send_json(
                    {"type": "welcome", "conversation": wanted, "resumed": True, "lines": lines}
                )
                return
            # Another conversation's id, or a stale one: never say which, start afresh.
            notice = self.service.wording.render("bot.resume_refused")
        greeting = self.service.wording.render("bot.greeting")
        origin = self.ws.headers.get("origin", "")
        self.conversation_id, new_token = await asyncio.to_thread(
            records.new_conversation, self.ctx, origin, greeting
        )
        lines = await asyncio.to_thread(records.transcript, self.ctx, self.conversation_id)
        await self.ws.send_json(
            {
                "type": "welcome",
                "conversation": self.conversation_id,
                "token": new_token,
                "resumed": False,
                "notice": notice,
                "lines": lines,
            }
        )

    async def _say(self, frame: dict[str, Any]) -> None:
        turn_id = str(frame.get("id") or "")
        text = frame.get("text")
        choice = frame.get("choice")
        if not CLIENT_ID.match(turn_id) or not isinstance(text, str):
            await self._error("bad_message")
            return
        text = text.strip()
        if not text:
            await self._error("empty", turn_id)
            return
        if len(text) > self.ctx.settings.chat_max_message_chars:
            await self._error("too_long", turn_id)
            return
        if not await self.service.limits.allow_turn(self.key, self.address):
            await self._error("too_fast", turn_id)
            return
        async with self.service.lock(self.conversation_id):
            await self._turn(turn_id, text, choice if isinstance(choice, str) else None)

    async def _turn(self, turn_id: str, text: str, choice: str | None) -> None:
        try:
            accepted = await asyncio.to_thread(
                records.accept_turn, self.ctx, self.conversation_id, turn_id, text
            )
        except Exception:
            log.exception("chat %s: a turn could not be stored", self.conversation_id)
            await self._error("unavailable", turn_id)
            return
        await self.ws.send_json({"type": "receipt", "id": turn_id, "seq": accepted.seq})
        if accepted.duplicate:
            return  # a resend after a reconnect: the reply is already in the transcript
        state, case_id = await asyncio.to_thread(records.load_state, self.ctx, self.conversation_id)
        state, changed = flow.absorb(state, text, choice)
        prediction = await self._classify(flow.classifier_input(state, changed, text))
        plan = flow.plan_turn(
            state,
            text,
            choice,
            prediction,
            changed=changed,
            has_case=case_id is not None,
            wording=self.service.wording,
        )
        try:
            lines = await asyncio.to_thread(
                casefile.save_turn,
                self.ctx,
                self.conversation_id,
                accepted.seq,
                plan,
                self.service.wording,
            )
        except Exception:
            # The turn itself is stored; it joins the case when the chat next saves.
            log.exception("chat %s: replies could not be stored", self.conversation_id)
            await self._error("unavailable")
            return
        await self.ws.send_json({"type": "replies", "reply_to": turn_id, "lines": lines})

    async def _classify(self, text: str) -> Prediction | None:
        try:
            return await self.service.batcher.predict(text)
        except Exception:
            # The chat goes on without the model; a person reads the case.
            log.exception("chat %s: the classifier failed", self.conversation_id)
            return None
