"""Classify chat turns off the event loop, batching the turns of concurrent chats into one call."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from classifier.prediction import Prediction

Predict = Callable[[Sequence[str], Sequence[str | None]], list[Prediction]]


class PredictBatcher:
    """One model call at a time; turns that arrive meanwhile go together in the next call.

    The model is far cheaper per text in a batch than alone, so under load this keeps each
    chat's wait near one model call instead of a queue of them. Calls run in a thread
    (asyncio.to_thread), so the event loop never blocks on the model.
    """

    def __init__(self, predict: Predict, max_batch: int = 32):
        self._predict = predict
        self.max_batch = max_batch
        self._pending: list[tuple[str, asyncio.Future[Prediction]]] = []
        self._running: asyncio.Task[None] | None = None
        self.calls = 0  # model calls made, for tests and the benchmark

    async def predict(self, text: str) -> Prediction:
        """The classifier's reading of one text; raises what the classifier raised."""
        future: asyncio.Future[Prediction] = asyncio.get_running_loop().create_future()
        self._pending.append((text, future))
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = (
                self._pending[: self.max_batch],
                self._pending[self.max_batch :],
            )
            texts = [text for text, _ in batch]
            self.calls += 1
            try:
                # In the thread, so loading the model on first use (seconds) blocks no one.
                results = await asyncio.to_thread(self._predict, texts, ["chat"] * len(texts))
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
