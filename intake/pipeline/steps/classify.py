"""Step `classify`: ask the classifier what the new text is (1.2-1.6) and why."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from intake.context import AppContext
from intake.pipeline.item import WorkItem


def classifier_text(subject: str, text: str) -> str:
    """What the model reads: the subject line, then the resident's new words."""
    subject = subject.strip()
    return f"{subject}\n\n{text}" if subject and subject not in text else text


def text_to_classify(subject: str, text: str, meta: Mapping[str, Any], quoted_text: str) -> str:
    """The whole text the model reads for a message (also what `intake export-training` exports).

    Takes fields, not a message, so it serves the parsed message here and the stored one later.
    """
    chosen = classifier_text(subject, text)
    # A chat turn ("yes", a name) means little alone: the chat connector passes the
    # resident's account so far, so every turn is triaged in the conversation's context.
    context = meta.get("classify_text")
    if isinstance(context, str) and context.strip():
        chosen = context
    if not chosen.strip():
        chosen = quoted_text[:2000]
    return chosen


# Computes only: the runner calls it before opening the write transaction.
USES_DATABASE = False


def run(item: WorkItem, ctx: AppContext, session: Session) -> None:
    """One prediction for the message; quoted replies and signatures are left out."""
    message = item.message
    assert message is not None
    text = text_to_classify(message.subject, message.text, message.meta, message.quoted_text)
    [prediction] = ctx.classifier.predict([text], [message.channel])
    item.prediction = prediction
    item.explain(
        "classify",
        label=prediction.label,
        confidence=round(prediction.confidence, 3),
        provision=prediction.provision,
        model=prediction.model_version,
    )
