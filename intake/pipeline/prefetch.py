"""Classify many queued messages in one model call before the runner takes them one by one.

The model costs nearly the same for 32 texts as for one, so a backlog (an import, a burst)
is far faster classified in batches. The texts are found by running the real `parse` and
`classify` steps with a classifier that only records what it is asked, so the batch sees
exactly what the step would send; the runner then gets those predictions from a cache.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

from sqlmodel import Session

from classifier.prediction import Prediction, TextClassifier
from intake.context import AppContext
from intake.pipeline.item import WorkItem
from intake.pipeline.steps import classify, parse
from store.models import Inbound

log = logging.getLogger(__name__)


class _Asked(Exception):
    """Raised by the recorder once it has seen the step's question."""


class _Recorder:
    version = "recorder"

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.channels: list[str | None] = []

    def predict(
        self, texts: Sequence[str], channels: Sequence[str | None] | None = None
    ) -> list[Prediction]:
        self.texts.extend(texts)
        self.channels.extend(channels or [None] * len(texts))
        raise _Asked


class CachedClassifier:
    """Answers from predictions made earlier in a batch; asks the real model otherwise."""

    def __init__(self, real: TextClassifier, cache: dict[str, Prediction]):
        self.real = real
        self.cache = cache

    @property
    def version(self) -> str:
        return self.real.version

    def predict(
        self, texts: Sequence[str], channels: Sequence[str | None] | None = None
    ) -> list[Prediction]:
        if all(text in self.cache for text in texts):
            return [self.cache[text] for text in texts]
        return self.real.predict(texts, channels)


def prefetch(ctx: AppContext, inbound_ids: list[int]) -> AppContext:
    """A context whose classifier already knows the answers for these queued messages."""
    recorder = _Recorder()
    asking = dataclasses.replace(ctx, classifier_factory=lambda: recorder, _classifier=None)
    with Session(ctx.engine) as session:
        rows = [session.get(Inbound, i) for i in inbound_ids]
        for row in rows:
            if row is not None:
                session.expunge(row)
    for row in rows:
        if row is None:
            continue
        item = WorkItem(inbound=row)
        try:
            parse.run(item, asking, session)
            classify.run(item, asking, session)
        except _Asked:
            continue
        except Exception as exc:  # the runner will meet the same error and record it properly
            log.debug("inbound %s not prefetched: %s", row.id, exc)
    if not recorder.texts:
        return ctx
    try:
        real = ctx.classifier
        predictions = real.predict(recorder.texts, recorder.channels)
    except Exception:  # a bad text, or no model: each message meets the problem alone
        log.warning("batch classification failed; classifying one by one")
        return ctx
    cached = CachedClassifier(real, dict(zip(recorder.texts, predictions, strict=True)))
    return dataclasses.replace(ctx, classifier_factory=lambda: cached, _classifier=None)
